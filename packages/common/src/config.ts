/**
 * Configuration from the environment, validated once at start-up. Every field names its
 * environment variable, default and unit. Unset production variables select the embedded
 * defaults (SQLite, local object directory, in-process fan-out).
 */
import * as path from 'node:path';
import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

export const ConfigSchema = z.object({
  /** WEFT_DATA_DIR: embedded database file and object directory. Default `./.weft`. */
  dataDir: z.string().default('.weft'),
  /** DATABASE_URL: `postgres://…` selects PostgreSQL; unset uses SQLite at `<dataDir>/weft.sqlite`. */
  databaseUrl: optionalString,
  /** WEFT_DB_POOL_MAX: PostgreSQL connection pool size per process. */
  dbPoolMax: int(10, 1),
  /** REDIS_URL: `redis://…` enables Redis fan-out; unset uses in-process fan-out. */
  redisUrl: optionalString,
  /** S3_ENDPOINT / S3_BUCKET / S3_REGION: unset S3_BUCKET uses `<dataDir>/objects`. */
  s3Endpoint: optionalString,
  s3Bucket: optionalString,
  s3Region: z.string().default('us-east-1'),
  s3AccessKeyId: optionalString,
  s3SecretAccessKey: optionalString,
  /** WEFT_HOST: address the api listens on. Default 127.0.0.1. */
  host: z.string().default('127.0.0.1'),
  /** WEFT_PORT: api HTTP port. Default 8080. */
  port: int(8080),
  /** WEFT_SCHEDULER_URL: `host:port` of the scheduler's gRPC server. */
  schedulerUrl: z.string().default('127.0.0.1:7070'),
  /** WEFT_SCHEDULER_PORT: port the scheduler binds (default: the port of WEFT_SCHEDULER_URL). */
  schedulerPort: z.coerce.number().int().optional(),
  /** WEFT_EXECUTOR_SECRET: shared secret executors present to the scheduler; unset = none. */
  executorSecret: optionalString,
  /** WEFT_EXECUTOR_SLOTS: concurrent tasks per executor. Default 1. */
  executorSlots: int(1, 1),
  /** WEFT_LEASE_TTL_MS: a task lease not renewed for this long expires. */
  leaseTtlMs: int(15_000, 500),
  /** WEFT_HEARTBEAT_MS: executor heartbeat interval. */
  heartbeatMs: int(3_000, 100),
  /** WEFT_MAX_ATTEMPTS: attempts per task before the job fails. */
  maxAttempts: int(3, 1),
  /** WEFT_RETRY_BACKOFF_MS: base of the exponential backoff between attempts. */
  retryBackoffMs: int(500, 0),
  /** WEFT_MAX_UPLOAD_BYTES: largest accepted CSV upload. Default 1 GiB. */
  maxUploadBytes: int(1024 * 1024 * 1024, 1),
  /**
   * WEFT_UPLOAD_IDLE_TIMEOUT_MS: an upload body that stalls, or trickles in slower than 16 KiB per
   * this many milliseconds, is aborted with 408 UPLOAD_TIMEOUT and its temp file removed. Default 30 000 (30 s).
   */
  uploadIdleTimeoutMs: int(30_000, 100),
  /** WEFT_MAX_COLUMNS: most columns a CSV may have. */
  maxColumns: int(10_000, 1),
  /** WEFT_MAX_FIELD_BYTES: longest single CSV field. Default 1 MiB. */
  maxFieldBytes: int(1024 * 1024, 1),
  /** WEFT_BATCH_ROWS: rows per Arrow record batch. */
  batchRows: int(65_536, 1),
  /** WEFT_LOG_LEVEL: pino level. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** WEFT_CORS_ORIGINS: comma-separated allowed origins; empty = same origin only. */
  corsOrigins: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),

  // --- Authentication, tenancy and limits (api, scheduler JobService) ---
  /** WEFT_PUBLIC_URL: external base URL of the api (OIDC redirect URIs); default `http://<host>:<port>`. */
  publicUrl: optionalString,
  /** WEFT_JWT_ISSUER: `iss` of the access and refresh tokens the api signs. */
  jwtIssuer: z.string().default('weft'),
  /** WEFT_ACCESS_TOKEN_TTL_S: lifetime of an access token, seconds. Default 900 (15 min). */
  accessTokenTtlS: int(900, 10),
  /** WEFT_REFRESH_TOKEN_TTL_S: lifetime of a refresh token, seconds. Default 2 592 000 (30 days). */
  refreshTokenTtlS: int(30 * 24 * 3600, 60),
  /** WEFT_SIGNING_KEY_ROTATION_S: the token signing key is replaced once it is this old, seconds. Default 30 days. */
  signingKeyRotationS: int(30 * 24 * 3600, 60),
  /** WEFT_SIGNUP: `open` lets anyone create an account with POST /api/auth/signup; `closed` refuses it. */
  signup: z.enum(['open', 'closed']).default('open'),
  /**
   * WEFT_INTERNAL_SECRET: shared secret the api presents to the scheduler's JobService
   * (metadata `x-weft-internal-secret`). Unset: JobService calls without an API key are trusted
   * (the scheduler listens on loopback in embedded mode).
   */
  internalSecret: optionalString,
  /** WEFT_QUOTA_STORAGE_BYTES: stored dataset bytes per workspace; 0 = unlimited. */
  quotaStorageBytes: int(0),
  /** WEFT_QUOTA_CPU_SECONDS: executor CPU-seconds (summed task run time) per workspace; 0 = unlimited. */
  quotaCpuSeconds: int(0),
  /** WEFT_RATE_LIMIT_IP_PER_MINUTE: requests per minute per client IP under /api. */
  rateLimitIpPerMinute: int(3_000, 1),
  /** WEFT_RATE_LIMIT_USER_PER_MINUTE: requests per minute per authenticated user or API key. */
  rateLimitUserPerMinute: int(1_200, 1),
  /** WEFT_AUTH_RATE_LIMIT_PER_MINUTE: sign-up, login and refresh attempts per minute per client IP. */
  authRateLimitPerMinute: int(30, 1),
});

/** One OpenID Connect provider: WEFT_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET (, _SCOPE). */
export interface OidcProviderConfig {
  /** Lower-case provider name used in `/api/auth/oidc/:provider/…`. */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes. Default `openid email profile`. */
  scope: string;
}

/**
 * OIDC providers from the environment: every `WEFT_OIDC_<NAME>_ISSUER` with its
 * `_CLIENT_ID` and `_CLIENT_SECRET`.
 * @throws Error naming a provider whose client id or secret is missing.
 */
export function oidcProvidersFromEnv(env: NodeJS.ProcessEnv): Record<string, OidcProviderConfig> {
  const out: Record<string, OidcProviderConfig> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^WEFT_OIDC_([A-Z0-9]+)_ISSUER$/.exec(k);
    if (!m || !v) continue;
    const up = m[1]!;
    const clientId = env[`WEFT_OIDC_${up}_CLIENT_ID`];
    const clientSecret = env[`WEFT_OIDC_${up}_CLIENT_SECRET`];
    if (!clientId || !clientSecret) throw new Error(`Invalid configuration:\n  WEFT_OIDC_${up}_CLIENT_ID and WEFT_OIDC_${up}_CLIENT_SECRET are required with ${k}`);
    const name = up.toLowerCase();
    out[name] = { name, issuer: v, clientId, clientSecret, scope: env[`WEFT_OIDC_${up}_SCOPE`] || 'openid email profile' };
  }
  return out;
}

export type Config = z.infer<typeof ConfigSchema> & {
  /** OpenID Connect providers by name (see `oidcProvidersFromEnv`). */
  oidcProviders: Record<string, OidcProviderConfig>;
};

const ENV_NAMES: Record<keyof z.input<typeof ConfigSchema>, string> = {
  dataDir: 'WEFT_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  dbPoolMax: 'WEFT_DB_POOL_MAX',
  redisUrl: 'REDIS_URL',
  s3Endpoint: 'S3_ENDPOINT',
  s3Bucket: 'S3_BUCKET',
  s3Region: 'S3_REGION',
  s3AccessKeyId: 'AWS_ACCESS_KEY_ID',
  s3SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  host: 'WEFT_HOST',
  port: 'WEFT_PORT',
  schedulerUrl: 'WEFT_SCHEDULER_URL',
  schedulerPort: 'WEFT_SCHEDULER_PORT',
  executorSecret: 'WEFT_EXECUTOR_SECRET',
  executorSlots: 'WEFT_EXECUTOR_SLOTS',
  leaseTtlMs: 'WEFT_LEASE_TTL_MS',
  heartbeatMs: 'WEFT_HEARTBEAT_MS',
  maxAttempts: 'WEFT_MAX_ATTEMPTS',
  retryBackoffMs: 'WEFT_RETRY_BACKOFF_MS',
  maxUploadBytes: 'WEFT_MAX_UPLOAD_BYTES',
  uploadIdleTimeoutMs: 'WEFT_UPLOAD_IDLE_TIMEOUT_MS',
  maxColumns: 'WEFT_MAX_COLUMNS',
  maxFieldBytes: 'WEFT_MAX_FIELD_BYTES',
  batchRows: 'WEFT_BATCH_ROWS',
  logLevel: 'WEFT_LOG_LEVEL',
  corsOrigins: 'WEFT_CORS_ORIGINS',
  publicUrl: 'WEFT_PUBLIC_URL',
  jwtIssuer: 'WEFT_JWT_ISSUER',
  accessTokenTtlS: 'WEFT_ACCESS_TOKEN_TTL_S',
  refreshTokenTtlS: 'WEFT_REFRESH_TOKEN_TTL_S',
  signingKeyRotationS: 'WEFT_SIGNING_KEY_ROTATION_S',
  signup: 'WEFT_SIGNUP',
  internalSecret: 'WEFT_INTERNAL_SECRET',
  quotaStorageBytes: 'WEFT_QUOTA_STORAGE_BYTES',
  quotaCpuSeconds: 'WEFT_QUOTA_CPU_SECONDS',
  rateLimitIpPerMinute: 'WEFT_RATE_LIMIT_IP_PER_MINUTE',
  rateLimitUserPerMinute: 'WEFT_RATE_LIMIT_USER_PER_MINUTE',
  authRateLimitPerMinute: 'WEFT_AUTH_RATE_LIMIT_PER_MINUTE',
};

/** The environment variable behind each config field. */
export const CONFIG_ENV_NAMES: Readonly<Record<string, string>> = ENV_NAMES;

/**
 * Reads and validates the configuration.
 * @throws Error naming every invalid variable and why.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== '') raw[field] = env[name];
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${ENV_NAMES[i.path[0] as keyof typeof ENV_NAMES] ?? i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const cfg: Config = { ...parsed.data, oidcProviders: oidcProvidersFromEnv(env), ...overrides };
  cfg.dataDir = path.resolve(cfg.dataDir);
  return cfg;
}

/** Host and port of the scheduler's gRPC address. */
export function schedulerBindPort(cfg: Config): number {
  if (cfg.schedulerPort !== undefined) return cfg.schedulerPort;
  const m = /:(\d+)$/.exec(cfg.schedulerUrl);
  return m ? Number(m[1]) : 7070;
}
