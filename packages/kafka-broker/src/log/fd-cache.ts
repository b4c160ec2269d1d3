import fs from 'node:fs';

/**
 * A bounded set of open descriptors (read/write) for segment and index files, least recently used
 * closed first, so a broker with many partitions and segments stays under the fd limit while the
 * files in use stay open.
 */
export class FdCache {
  private readonly fds = new Map<string, number>();

  constructor(private readonly capacity = 512) {}

  get(path: string): number {
    const fd = this.fds.get(path);
    if (fd !== undefined) {
      this.fds.delete(path);
      this.fds.set(path, fd);
      return fd;
    }
    const opened = fs.openSync(path, 'r+');
    this.fds.set(path, opened);
    if (this.fds.size > this.capacity) {
      const oldest = this.fds.entries().next().value;
      if (oldest) {
        this.fds.delete(oldest[0]);
        fs.closeSync(oldest[1]);
      }
    }
    return opened;
  }

  forget(path: string): void {
    const fd = this.fds.get(path);
    if (fd === undefined) return;
    this.fds.delete(path);
    fs.closeSync(fd);
  }

  closeAll(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
