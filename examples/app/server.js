// A minimal web server, the example app's whole code.
require('node:http')
  .createServer((_req, res) => res.end('hello from sortie\n'))
  .listen(8080);
