import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Fields that commonly carry secrets or personal data are redacted at the
 * source, so a careless `log.info({ input })` never leaks a password or token.
 */
export function createLogger(name: string, level: string = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'newPassword',
        '*.newPassword',
        'token',
        '*.token',
        'accessToken',
        '*.accessToken',
        'refreshToken',
        '*.refreshToken',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'secret',
        '*.secret',
        'body',
        '*.body',
      ],
      censor: '[redacted]',
    },
  };
  // Standard output, unless a caller (a test reading the logs, say) passes a stream of its own.
  return destination ? pino(options, destination) : pino(options);
}
