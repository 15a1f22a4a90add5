export * from './permission.js';
export * from './service-account-access.js';
export * from './token.js';
export {
  DEFAULT_ROTATOR_IMAGE,
  PACKAGE_VERSION,
  ROTATOR_CREDENTIALS_PATH,
  ROTATOR_TOKEN_SECONDS,
  ROTATOR_USER_ID,
  TokenRotation,
  type TokenRotationProps,
} from './token-rotation.js';
export {
  checkRotationSchedule,
  deriveRotationSchedule,
  type RotationSchedule,
} from './rotation-schedule.js';
