export * from './protocol/hub-message.js';
