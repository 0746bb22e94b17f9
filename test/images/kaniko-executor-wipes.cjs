#!/usr/local/bin/node
// /kaniko/executor of the stand-in base: the recording stand-in (test/components/kaniko-executor),
// then what kaniko does between build stages and after a build: it deletes the root filesystem
// outside /kaniko and the mount points. The plugin's work after the executor (reading the digest,
// writing the artifact file) must then run without /usr, /lib or /lib64.
require('/kaniko/stand-in/executor');
const fs = require('node:fs');
for (const dir of ['/usr', '/lib', '/lib64', '/bin', '/sbin', '/tmp']) fs.rmSync(dir, { recursive: true, force: true });
