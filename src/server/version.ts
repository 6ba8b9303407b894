/** The server package's version; test/openapi.test.ts keeps it equal to package.json's. */
export const SERVER_VERSION = '0.1.0'
