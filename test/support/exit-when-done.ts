import { after } from 'node:test';

/**
 * Loaded into every test process (`--import`): once a file's tests are done, a handle a test left
 * open (a server, a timer, a child) must not keep the run waiting for ever. This replaces
 * `--test-force-exit`, which exits before the test process has written all its results to the
 * runner: tests then go missing from the count without failing (seen with Node 24.21: a file of 30
 * tests reported 22 to 30). The second here lets the results reach the runner first; a process
 * with nothing left open has exited long before.
 */
after(() => {
  setTimeout(() => process.exit(), 1000).unref();
});
