// Preloaded into a bundle's process by runBundleMeasured: reports its peak resident set size when it
// exits (process.exit included), on standard error, as one line the helper takes off again.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nsortie-test-max-rss-kib=${process.resourceUsage().maxRSS}\n`);
});
