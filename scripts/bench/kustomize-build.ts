/** Builds the kustomization in argv[2] and prints it as YAML: the plugin's build, in a process as `kubectl kustomize` is. */
import { dirname } from 'node:path';
import { dump } from 'js-yaml';
import { buildKustomization } from '../../plugins/kubernetes/kustomize/build.ts';

const dir = process.argv[2]!;
// Its parent is the workspace: an overlay's base is beside it.
const built = buildKustomization(dir, { workspace: dirname(dir), restrictor: 'rootOnly', render: (text) => text });
process.stdout.write(built.map((m) => dump(m.object)).join('---\n'));
