export * from './tracing-settings.js';
export * from './start-tracing.js';
export * from './trace-context-propagation.js';
export * from './messaging-tracer.js';
export * from './child-span.js';
