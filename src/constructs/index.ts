export * from './permission.js';
export * from './service-account-access.js';
export * from './token.js';
