// Not a TypeScript app; see tsconfig.json beside this file.
export {};
