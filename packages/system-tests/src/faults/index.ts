export * from './delivery-audit.js';
export * from './fault-environment.js';
export * from './handler-log.js';
export * from './poison-messages.js';
export * from './readiness-probe.js';
export * from './sign-up-ledger.js';
export * from './sign-up-traffic.js';
export * from './kills-during-burst.js';
