import type { Context } from 'koa';
import { PERMISSIONS } from '../permissions';
import type { DataResponse, PluginPermissions } from '../../../shared/contracts/admin-api';

interface Ability {
  can(action: string, subject?: unknown): boolean;
}

/** Which parts of the plugin the logged-in admin may use; the menu hides the rest. */
export default () => ({
  async permissions(ctx: Context) {
    const ability = (ctx.state as { userAbility?: Ability }).userAbility;
    const can = (action: string) => Boolean(ability?.can(action));
    ctx.body = {
      data: Object.fromEntries(Object.entries(PERMISSIONS).map(([name, action]) => [name, can(action)])) as PluginPermissions,
    } satisfies DataResponse<PluginPermissions>;
  },
});
