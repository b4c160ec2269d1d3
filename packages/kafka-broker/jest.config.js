module.exports = require('../../jest.preset')(__dirname, {
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
});
