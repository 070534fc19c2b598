export * from './event-bus-contract.js';
export * from './prospect-repository-contract.js';
