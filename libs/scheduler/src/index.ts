/**
 * @app/scheduler — placement of instances on cluster members (choosing the target member for a
 * create or move when the request names none).
 */
export {};
