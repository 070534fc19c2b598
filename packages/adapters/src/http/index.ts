export * from './api-reference-data-loader.js';
