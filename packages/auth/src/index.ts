export { ROLES, type Role, isRole, roleAtLeast } from './roles';
export {
  signAccessToken,
  verifyAccessToken,
  AccessTokenError,
  type AccessTokenClaims,
} from './access-token';
export {
  CALLER_HEADER,
  signCaller,
  verifyCaller,
  CallerVerificationError,
  type Caller,
  type AuthenticatedCaller,
} from './caller';
