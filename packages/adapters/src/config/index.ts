export * from './configuration.js';
export * from './configuration-keys.js';
export * from './load-configuration.js';
export * from './sign-up-settings.js';
export * from './configuration-error.js';
