#!/usr/bin/env node
// A stand-in for kaniko's /kaniko/executor. Options are read from `<this file>.options.json`,
// the record is written to `<this file>.record.json`; see README.md.
const fs = require('node:fs');
const path = require('node:path');

const read = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};
const options = {
  exitCode: 0,
  digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
  stdout: ['INFO[0000] stand-in executor: building'],
  stderr: [],
  ...JSON.parse(read(`${__filename}.options.json`) ?? '{}'),
};
const argv = process.argv.slice(2);
const dockerConfig = read(path.join(process.env.DOCKER_CONFIG ?? '/kaniko/.docker', 'config.json'));
const keyFile = process.env.GOOGLE_APPLICATION_CREDENTIALS;

if (options.refusePush) {
  // kaniko's own words when the registry refuses the credentials (its push permission check).
  const destination = (argv.find((a) => a.startsWith('--destination=')) ?? '--destination=index.docker.io/library/app:latest').slice('--destination='.length);
  const host = destination.split('/')[0];
  const repo = destination.slice(host.length + 1).replace(/[:@].*$/, '');
  options.stderr = [
    ...options.stderr,
    `error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "${destination}": POST https://${host}/v2/${repo}/blobs/uploads/: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:${repo} Type:repository] map[Action:push Class: Name:${repo} Type:repository]]`,
  ];
  options.exitCode = 1;
}
const record = {
  startedAt: performance.timeOrigin,
  pid: process.pid,
  argv,
  cwd: process.cwd(),
  env: process.env,
  dockerConfig: dockerConfig === null ? null : JSON.parse(dockerConfig),
  googleKey: keyFile ? read(keyFile) : null,
  signals: [],
};
const save = () => fs.writeFileSync(`${__filename}.record.json`, JSON.stringify(record));
save();
const finish = () => {
  const digestFile = argv.find((a) => a.startsWith('--digest-file='));
  if (digestFile && options.exitCode === 0 && options.digest) fs.writeFileSync(path.resolve(digestFile.slice('--digest-file='.length)), options.digest);
  process.exitCode = options.exitCode;
};
if (!options.runMs) finish();
else {
  // A long build: it ends after runMs, or on SIGTERM/SIGINT as the options say.
  const build = setTimeout(finish, options.runMs);
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      record.signals.push(signal);
      save();
      process.stderr.write(`stand-in executor: got ${signal}\n`);
      if (options.onSignal === 'ignore') return;
      clearTimeout(build);
      process.exit(options.onSignal?.exitCode ?? 0);
    });
  }
}
// Printed once the signal handlers are in place: a test that waits for a line may signal at once.
for (const line of options.stdout) process.stdout.write(`${line}\n`);
for (const line of options.stderr) process.stderr.write(`${line}\n`);
