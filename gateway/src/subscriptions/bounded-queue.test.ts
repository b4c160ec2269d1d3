import { BoundedQueue, QueueOverflowError } from './bounded-queue';

describe('BoundedQueue', () => {
  it('hands items over in order and to a waiting reader', async () => {
    const queue = new BoundedQueue<number>(3);
    const waiting = queue.next();
    queue.push(1);
    queue.push(2);
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
  });

  it('fails the reader instead of growing past its capacity, and tells the owner', async () => {
    const onClose = jest.fn();
    const queue = new BoundedQueue<number>(2, onClose);
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    await expect(queue.next()).rejects.toBeInstanceOf(QueueOverflowError);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('ends a pending read on return()', async () => {
    const queue = new BoundedQueue<number>(2);
    const pending = queue.next();
    await queue.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(queue.push(1)).toBe(false);
  });
});
