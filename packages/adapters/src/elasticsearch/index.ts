export * from './create-elasticsearch-connection.js';
export * from './elasticsearch-prospect-index.js';
export * from './elasticsearch-unavailable-error.js';
export * from './prospect-index-template.js';
export * from './prospect-queries.js';
