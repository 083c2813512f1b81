/** The admin routes' request schemas live in the shared contract, beside the types the admin sends. */
export * from '../../../shared/contracts/admin-requests';
