import net from 'node:net';
import type { BrokerState } from '../handlers/context';
import { errorMessage } from '../logger';
import { Connection } from './connection';

/** Accepts TCP connections and gives each its own Connection. */
export class TcpServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();

  constructor(private readonly broker: BrokerState) {
    this.server = net.createServer((socket) => {
      try {
        this.connections.add(new Connection(socket, broker, (c) => this.connections.delete(c)));
      } catch (error) {
        broker.logger.error('could not set up connection', { error: errorMessage(error) });
        socket.destroy();
      }
    });
    this.server.on('error', (error) => broker.logger.error('server error', { error: errorMessage(error) }));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ port, host }, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) connection.close();
    await closed;
  }
}
