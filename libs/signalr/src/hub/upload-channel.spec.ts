import { UploadChannel } from './upload-channel.js';

function channel(capacity = 2) {
  const flow = {
    resumes: 0,
    resumeReceiving() {
      this.resumes++;
    },
  };
  return { flow, channel: new UploadChannel<number>(capacity, flow) };
}

describe('UploadChannel', () => {
  it('buffers up to its capacity and says when it is full', () => {
    const { channel: upload } = channel(2);
    expect(upload.write(1)).toBe(true);
    expect(upload.write(2)).toBe(false);
    expect(upload.buffered).toBe(2);
  });

  it('asks the connection to read again once a full buffer has room', async () => {
    const { channel: upload, flow } = channel(2);
    upload.write(1);
    upload.write(2);
    expect(await upload.next()).toEqual({ value: 1, done: false });
    expect(flow.resumes).toBe(1);
    expect(await upload.next()).toEqual({ value: 2, done: false });
    expect(flow.resumes).toBe(1); // it was not full any more
  });

  it('hands an item straight to a waiting reader', async () => {
    const { channel: upload } = channel(1);
    const read = upload.next();
    expect(upload.write(7)).toBe(true);
    expect(await read).toEqual({ value: 7, done: false });
    expect(upload.buffered).toBe(0);
  });

  it('delivers what is buffered, then ends or throws the client error', async () => {
    const { channel: upload } = channel(3);
    upload.write(1);
    upload.complete(new Error('client failed'));
    expect(await upload.next()).toEqual({ value: 1, done: false });
    await expect(upload.next()).rejects.toThrow('client failed');
    expect(await upload.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a pending read when completed', async () => {
    const { channel: upload } = channel();
    const read = upload.next();
    upload.complete();
    expect(await read).toEqual({ value: undefined, done: true });
  });

  it('drops items once abandoned, and frees the connection it held', async () => {
    const { channel: upload, flow } = channel(1);
    upload.write(1);
    for await (const item of upload) {
      expect(item).toBe(1);
      break; // calls return(): abandons the stream
    }
    expect(flow.resumes).toBe(1);
    expect(upload.write(2)).toBe(true);
    expect(upload.buffered).toBe(0);
  });
});
