/**
 * `npm run test:images`: one process, so one Docker engine and every plugin's image built once for
 * both platforms (./images.ts), which all the image tests share:
 * - plugins.ts: this machine's images run as Drone runs them, their labels, SBOM and user, `docker
 *   stop`, and the Dockerfiles again with buildah;
 * - notify.ts, messengers.ts, manifest.ts: the other plugins' images as Drone steps;
 * - multiarch.ts: both platforms published as OCI image indexes and read back, the other platform run.
 * Without an engine the tests are skipped with the reason, except under CI, where that fails.
 */
import './plugins.ts';
import './notify.ts';
import './messengers.ts';
import './manifest.ts';
import './multiarch.ts';
