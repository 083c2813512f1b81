/**
 * What a controller may hand Koa for a response the shared contract declares
 * (shared/contracts/admin-api.ts). JSON sends a Date as its ISO string, so where the contract
 * says `string` a Date is fine too; everything else must match, so a field renamed on either
 * side fails `npm run typecheck`.
 */
export type Sendable<T> = string extends T
  ? T | Date
  : T extends readonly (infer Item)[]
    ? Sendable<Item>[]
    : T extends object
      ? { [K in keyof T]: Sendable<T[K]> }
      : T;
