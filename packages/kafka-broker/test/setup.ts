import { cleanupAll } from './helpers';

// Integration tests drive real clients; give them room on a busy machine.
jest.setTimeout(60_000);

afterAll(cleanupAll);
