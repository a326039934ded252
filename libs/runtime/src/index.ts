/**
 * @app/runtime — the container runtime: driving LXC to create, start, stop, exec into and delete
 * system containers, and managing their root filesystems on the `dir` storage driver.
 */
export {};
