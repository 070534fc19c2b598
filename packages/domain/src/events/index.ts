export * from './prospect-signed-up-event.js';
