import contentApi from './content-api';
import admin from './admin';

const ERROR_ANSWERS = 'plugin::town-crier.error-answers';

interface RouteDefinition {
  config?: { middlewares?: unknown[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** Puts `error-answers` in front of every route's own middlewares (see http/errors.ts). */
const withErrorAnswers =
  <Router extends { routes: RouteDefinition[] }>(routes: () => Router) =>
  (): Router => {
    const router = routes();
    return {
      ...router,
      routes: router.routes.map((route) => ({
        ...route,
        config: { ...route.config, middlewares: [ERROR_ANSWERS, ...(route.config?.middlewares ?? [])] },
      })),
    };
  };

export default { 'content-api': withErrorAnswers(contentApi), admin: withErrorAnswers(admin) };
