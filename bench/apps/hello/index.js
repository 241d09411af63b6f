const { app } = require('@azure/functions');

app.http('hello', {
  authLevel: 'anonymous',
  methods: ['GET'],
  handler: async () => ({ body: 'Hello, world' }),
});
