/**
 * The architecture a build is for, in OCI's words (`amd64`, `arm64`, `armv7` with its variant
 * joined as manifest-tool's `ARCHVARIANT` template joins them): `platform` when set (the executor
 * builds for it), else the node's, which is the executor's own since both are in the one image.
 */
const OCI_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };

/** Node's `process.arch` (and, on 32-bit ARM, the ARM version it was built for) as OCI names it. */
export function ociArch(nodeArch: string, armVersion?: string): string {
  if (nodeArch === 'arm') return `arm${armVersion ? `v${armVersion}` : ''}`;
  return OCI_ARCH[nodeArch] ?? nodeArch;
}

export interface PlatformSuffix {
  readonly arch: string;
  /** Where it came from, for the log. */
  readonly from: string;
  /** The pipeline's declared architecture when it is not the one built. */
  readonly warning?: string;
}

/** `stageArch` is what the pipeline declares (`platform: arch:`, DRONE_STAGE_ARCH): only compared. */
export function platformSuffix(platform: string | undefined, nodeArch: string, stageArch: string): PlatformSuffix {
  const arch = platform ? platform.split('/').slice(1).join('') : nodeArch;
  const from = platform ? 'settings.platform' : "the node's architecture";
  const declared = stageArch.replace(/\//g, '');
  if (declared === '' || declared === arch || (declared === 'arm' && arch.startsWith('arm') && !arch.startsWith('arm64'))) return { arch, from };
  return { arch, from, warning: `the pipeline declares arch ${stageArch} but the image is built for ${arch} (${from}): the tags get -${arch}` };
}
