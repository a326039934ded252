/**
 * @app/runtime — the container runtime: driving LXC to create, start, stop, exec into and delete
 * system containers, and managing their root filesystems on the `dir` storage driver.
 */
export * from './errors/runtime-error';
export * from './driver/runtime-driver';
export * from './driver/instance-name';
export * from './driver/instance-state-errors';

export * from './limits/memory-limit';
export * from './limits/cpu-limit';
export * from './limits/instance-limits';

export * from './cgroup/cgroup-layout';
export * from './cgroup/cgroup-settings';
export * from './cgroup/cgroup-reader';
export * from './cgroup/cgroup-apply';
export * from './cgroup/instance-cgroups';
export * from './cgroup/stray-cgroups';

export * from './process/command-runner';
export * from './process/node-command-runner';
export * from './process/pty-spawner';
export * from './process/node-pty-spawner';
export * from './process/prefixed-command-runner';
export * from './process/netns-command-prefix';
export * from './process/process-inspector';
export * from './process/kernel-files';

export * from './files/container-path';
export * from './files/host-path-lookup';
export * from './files/container-files';

export * from './images/image-metadata';
export * from './images/image-tarball-validator';
export * from './images/image-compression';
export * from './images/image-fingerprint';
export * from './images/unpacked-image';
export * from './images/image-store';
export * from './images/image-templates';
export * from './images/busybox-image-builder';
export * from './images/templates/template-syntax';
export * from './images/templates/template-renderer';
export * from './images/templates/template-context';
export * from './images/tar/tar-reader';

export * from './storage/storage-pool';
export * from './storage/dir-storage-pool';

export * from './lxc/lxc-driver';
export * from './lxc/lxc-config';
export * from './lxc/lxc-commands';
export * from './lxc/lxc-output';
export * from './lxc/nic-devices';
export * from './lxc/idmap';
export * from './lxc/network-state';

export * from './fake/fake-runtime-driver';
export * from './fake/in-memory-file-tree';

export * from './util/clock';
