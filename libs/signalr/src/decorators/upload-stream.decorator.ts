import { UPLOAD_STREAMS_METADATA } from '../signalr.constants.js';

/**
 * Marks a hub method parameter as an upload stream: a stream the client
 * passes as an argument (a `Subject` in JavaScript), received as an
 * `AsyncIterable` that ends when the client completes it and throws if the
 * client fails it. Upload streams are bound after the plain arguments, in the
 * order the client passes them, and are not counted as arguments.
 *
 * @example
 * ＠HubMethod()
 * async sum(＠UploadStream() numbers: AsyncIterable<number>) {
 *   let total = 0;
 *   for await (const n of numbers) total += n;
 *   return total;
 * }
 *
 * @publicApi
 */
export function UploadStream(): ParameterDecorator {
  return (target, methodKey, index) => {
    if (methodKey === undefined) throw new Error('@UploadStream() decorates hub method parameters.');
    const indexes: number[] = Reflect.getMetadata(UPLOAD_STREAMS_METADATA, target, methodKey) ?? [];
    Reflect.defineMetadata(UPLOAD_STREAMS_METADATA, [...indexes, index], target, methodKey);
  };
}
