export * from './event-bus-contract.js';
export * from './prospect-repository-contract.js';
export * from './test-events.js';
export * from './wait-until.js';
