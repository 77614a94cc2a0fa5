// Types for xk6-redis (`k6/x/redis`; in k6 1.x core as `k6/experimental/redis`), which @types/k6 v2 no longer
// ships. Only the promise-based Client methods the scenarios use; method names follow the extension's JS names.
declare module "k6/x/redis" {
  export type RedisArgument = string | number | boolean;

  export interface Options {
    socket: { host: string; port: number };
    username?: string;
    password?: string;
    database?: number;
  }

  export class Client {
    protected __brand: never;
    /** A redis:// URL or options; connects lazily on the first command (never in the init context). */
    constructor(urlOrOptions: string | Options);
    /** Rejects with "redis: nil" when the key does not exist. */
    get(key: string): Promise<string>;
    incr(key: string): Promise<number>;
    expire(key: string, seconds: number): Promise<boolean>;
    rpush(key: string, ...values: RedisArgument[]): Promise<number>;
    lrange(key: string, start: number, stop: number): Promise<string[]>;
    hincrby(key: string, field: string, increment: number): Promise<number>;
    hgetall(key: string): Promise<Record<string, string>>;
    sendCommand(command: string, ...args: RedisArgument[]): Promise<unknown>;
  }

  const redis: { Client: typeof Client };
  export default redis;
}
