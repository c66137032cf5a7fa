/** oidc-provider (tests only) ships no types. */
declare module 'oidc-provider';
