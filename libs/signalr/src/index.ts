export * from './signalr.module.js';
export * from './signalr.service.js';
