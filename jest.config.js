// ts-jest: type-checks the tests as it runs them (slower; `npm run test:unit` uses jest.swc.config.js).
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps/', '<rootDir>/libs/', '<rootDir>/test/'],
  testRegex: '.*\\.spec\\.ts$',
  testPathIgnorePatterns: ['/dist/', '/node_modules/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@app/(raft|db|scheduler|fan-network|runtime)$': '<rootDir>/libs/$1/src',
    '^@app/(raft|db|scheduler|fan-network|runtime)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
};
