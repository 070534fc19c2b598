export * from './prospect.js';
export * from './reference-data.js';
export * from './validate-prospect.js';
export * from './analytics-query.js';
export * from './analytics-order.js';
