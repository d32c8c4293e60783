// Generated from the OpenAPI document by `npm run web:api`; do not edit.
// test/web/api-types.test.ts fails when this file is stale.
export interface paths {
    "/api/v1/amazon/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Current Amazon settings with the source of each value; secrets only as set or not set
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The effective settings */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "provider": "creators",
                         *       "marketplace": "www.amazon.fr",
                         *       "updated_at": "2026-06-01T10:00:00.000Z",
                         *       "settings": {
                         *         "marketplace": {
                         *           "value": "www.amazon.fr",
                         *           "source": "default",
                         *           "secret": false
                         *         },
                         *         "associate_tag": {
                         *           "value": "mystore-21",
                         *           "source": "env",
                         *           "secret": false
                         *         },
                         *         "creators_credential_secret": {
                         *           "value": null,
                         *           "set": true,
                         *           "source": "stored",
                         *           "secret": true
                         *         }
                         *       }
                         *     }
                         */
                        "application/json": {
                            marketplace: string;
                            /** @enum {string} */
                            provider: "creators" | "paapi" | "spapi" | "keepa";
                            settings: {
                                associate_tag?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description your Associates tracking id, e.g. `mystore-21` (overrides `AMAZON_ASSOCIATE_TAG`). */
                                    value: string | null;
                                };
                                burst?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description a whole number ≥ 1 (overrides `AMAZON_BURST`). */
                                    value: number | null;
                                };
                                creators_api_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_CREATORS_API_URL`). */
                                    value: string | null;
                                };
                                creators_credential_id?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description the Credential ID from Associates Central (overrides `AMAZON_CREATORS_CREDENTIAL_ID`). */
                                    value: string | null;
                                };
                                creators_credential_secret?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                creators_credential_version?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description one of 2.1, 2.2, 2.3, 3.1, 3.2, 3.3 (overrides `AMAZON_CREATORS_CREDENTIAL_VERSION`). */
                                    value: string | null;
                                };
                                creators_token_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL of the OAuth2 token endpoint (overrides `AMAZON_CREATORS_TOKEN_URL`). */
                                    value: string | null;
                                };
                                enabled?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description true or false (overrides `AMAZON_PAAPI_ENABLED`). */
                                    value: boolean | null;
                                };
                                keepa_api_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL, e.g. `http://127.0.0.1:8787/keepa` (overrides `AMAZON_KEEPA_API_URL`). */
                                    value: string | null;
                                };
                                keepa_key?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                marketplace?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description a marketplace domain such as `www.amazon.fr` (overrides `AMAZON_MARKETPLACE`). */
                                    value: string | null;
                                };
                                paapi_access_key?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description the PA-API access key (overrides `AMAZON_PAAPI_ACCESS_KEY`). */
                                    value: string | null;
                                };
                                paapi_endpoint?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_PAAPI_ENDPOINT`). */
                                    value: string | null;
                                };
                                paapi_host?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description a host such as `webservices.amazon.fr` (overrides `AMAZON_PAAPI_HOST`). */
                                    value: string | null;
                                };
                                paapi_region?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an AWS region such as `eu-west-1` (overrides `AMAZON_PAAPI_REGION`). */
                                    value: string | null;
                                };
                                paapi_secret_key?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                provider?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description `creators` or `paapi` or `spapi` or `keepa` (overrides `AMAZON_PROVIDER`). */
                                    value: string | null;
                                };
                                spapi_client_id?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description the LWA client id of your SP-API app (amzn1.application-oa2-client.…) (overrides `AMAZON_SPAPI_CLIENT_ID`). */
                                    value: string | null;
                                };
                                spapi_client_secret?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                spapi_endpoint?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL replacing the regional SP-API host, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_SPAPI_ENDPOINT`). */
                                    value: string | null;
                                };
                                spapi_refresh_token?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                spapi_token_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL of the Login with Amazon token endpoint (overrides `AMAZON_SPAPI_TOKEN_URL`). */
                                    value: string | null;
                                };
                                timeout_ms?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description milliseconds, ≥ 100 (overrides `AMAZON_TIMEOUT_MS`). */
                                    value: number | null;
                                };
                                tpd?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description requests per day, a whole number ≥ 1 (overrides `AMAZON_TPD`). */
                                    value: number | null;
                                };
                                tps?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description requests per second, a positive number (overrides `AMAZON_TPS`). */
                                    value: number | null;
                                };
                            };
                            /** @description Last change of a stored value. */
                            updated_at: string | null;
                        };
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        /**
         * Store Amazon settings (partial; null removes a stored value)
         * @description Stored values take precedence over the environment. Secrets are stored encrypted (AES-256-GCM under CODE2ASIN_SECRET_KEY) and never shown again.
         *
         *     Needs the `admin` scope (or `admin`).
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "marketplace": "www.amazon.de",
                     *       "associate_tag": "mystore-21",
                     *       "tps": null
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description your Associates tracking id, e.g. `mystore-21` (overrides `AMAZON_ASSOCIATE_TAG`).
                         * @example mystore-21
                         */
                        associate_tag?: string | null;
                        /**
                         * @description a whole number ≥ 1 (overrides `AMAZON_BURST`).
                         * @example 1
                         */
                        burst?: number | null;
                        /**
                         * @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_CREATORS_API_URL`).
                         * @example https://creatorsapi.amazon
                         */
                        creators_api_url?: string | null;
                        /**
                         * @description the Credential ID from Associates Central (overrides `AMAZON_CREATORS_CREDENTIAL_ID`).
                         * @example amzn1.application-oa2-client.0123456789
                         */
                        creators_credential_id?: string | null;
                        /**
                         * @description the Credential Secret (overrides `AMAZON_CREATORS_CREDENTIAL_SECRET`); secret: stored encrypted, never shown (only whether it is set).
                         * @example amzn1.oa2-cs.v1.0123456789abcdef
                         */
                        creators_credential_secret?: string | null;
                        /**
                         * @description one of 2.1, 2.2, 2.3, 3.1, 3.2, 3.3 (overrides `AMAZON_CREATORS_CREDENTIAL_VERSION`).
                         * @example 3.2
                         */
                        creators_credential_version?: string | null;
                        /**
                         * @description an http(s) URL of the OAuth2 token endpoint (overrides `AMAZON_CREATORS_TOKEN_URL`).
                         * @example https://api.amazon.co.uk/auth/o2/token
                         */
                        creators_token_url?: string | null;
                        /**
                         * @description true or false (overrides `AMAZON_PAAPI_ENABLED`).
                         * @example true
                         */
                        enabled?: boolean | null;
                        /**
                         * @description an http(s) URL, e.g. `http://127.0.0.1:8787/keepa` (overrides `AMAZON_KEEPA_API_URL`).
                         * @example https://api.keepa.com
                         */
                        keepa_api_url?: string | null;
                        /**
                         * @description the Keepa API access key (keepa.com → API) (overrides `AMAZON_KEEPA_KEY`); secret: stored encrypted, never shown (only whether it is set).
                         * @example abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01
                         */
                        keepa_key?: string | null;
                        /**
                         * @description a marketplace domain such as `www.amazon.fr` (overrides `AMAZON_MARKETPLACE`).
                         * @example www.amazon.fr
                         */
                        marketplace?: string | null;
                        /**
                         * @description the PA-API access key (overrides `AMAZON_PAAPI_ACCESS_KEY`).
                         * @example AKIAIOSFODNN7EXAMPLE
                         */
                        paapi_access_key?: string | null;
                        /**
                         * @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_PAAPI_ENDPOINT`).
                         * @example http://127.0.0.1:8787
                         */
                        paapi_endpoint?: string | null;
                        /**
                         * @description a host such as `webservices.amazon.fr` (overrides `AMAZON_PAAPI_HOST`).
                         * @example webservices.amazon.fr
                         */
                        paapi_host?: string | null;
                        /**
                         * @description an AWS region such as `eu-west-1` (overrides `AMAZON_PAAPI_REGION`).
                         * @example eu-west-1
                         */
                        paapi_region?: string | null;
                        /**
                         * @description the PA-API secret key (overrides `AMAZON_PAAPI_SECRET_KEY`); secret: stored encrypted, never shown (only whether it is set).
                         * @example wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
                         */
                        paapi_secret_key?: string | null;
                        /**
                         * @description `creators` or `paapi` or `spapi` or `keepa` (overrides `AMAZON_PROVIDER`).
                         * @example creators
                         */
                        provider?: string | null;
                        /**
                         * @description the LWA client id of your SP-API app (amzn1.application-oa2-client.…) (overrides `AMAZON_SPAPI_CLIENT_ID`).
                         * @example amzn1.application-oa2-client.0123456789abcdef
                         */
                        spapi_client_id?: string | null;
                        /**
                         * @description the LWA client secret of your SP-API app (overrides `AMAZON_SPAPI_CLIENT_SECRET`); secret: stored encrypted, never shown (only whether it is set).
                         * @example amzn1.oa2-cs.v1.0123456789abcdef
                         */
                        spapi_client_secret?: string | null;
                        /**
                         * @description an http(s) URL replacing the regional SP-API host, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_SPAPI_ENDPOINT`).
                         * @example https://sellingpartnerapi-eu.amazon.com
                         */
                        spapi_endpoint?: string | null;
                        /**
                         * @description the refresh token of your self-authorisation (Atzr|…) (overrides `AMAZON_SPAPI_REFRESH_TOKEN`); secret: stored encrypted, never shown (only whether it is set).
                         * @example Atzr|IwEBIEXAMPLE
                         */
                        spapi_refresh_token?: string | null;
                        /**
                         * @description an http(s) URL of the Login with Amazon token endpoint (overrides `AMAZON_SPAPI_TOKEN_URL`).
                         * @example https://api.amazon.com/auth/o2/token
                         */
                        spapi_token_url?: string | null;
                        /**
                         * @description milliseconds, ≥ 100 (overrides `AMAZON_TIMEOUT_MS`).
                         * @example 10000
                         */
                        timeout_ms?: number | null;
                        /**
                         * @description requests per day, a whole number ≥ 1 (overrides `AMAZON_TPD`).
                         * @example 8640
                         */
                        tpd?: number | null;
                        /**
                         * @description requests per second, a positive number (overrides `AMAZON_TPS`).
                         * @example 1
                         */
                        tps?: number | null;
                    };
                };
            };
            responses: {
                /** @description The effective settings */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "provider": "creators",
                         *       "marketplace": "www.amazon.fr",
                         *       "updated_at": "2026-06-01T10:00:00.000Z",
                         *       "settings": {
                         *         "marketplace": {
                         *           "value": "www.amazon.fr",
                         *           "source": "default",
                         *           "secret": false
                         *         },
                         *         "associate_tag": {
                         *           "value": "mystore-21",
                         *           "source": "env",
                         *           "secret": false
                         *         },
                         *         "creators_credential_secret": {
                         *           "value": null,
                         *           "set": true,
                         *           "source": "stored",
                         *           "secret": true
                         *         }
                         *       }
                         *     }
                         */
                        "application/json": {
                            marketplace: string;
                            /** @enum {string} */
                            provider: "creators" | "paapi" | "spapi" | "keepa";
                            settings: {
                                associate_tag?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description your Associates tracking id, e.g. `mystore-21` (overrides `AMAZON_ASSOCIATE_TAG`). */
                                    value: string | null;
                                };
                                burst?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description a whole number ≥ 1 (overrides `AMAZON_BURST`). */
                                    value: number | null;
                                };
                                creators_api_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_CREATORS_API_URL`). */
                                    value: string | null;
                                };
                                creators_credential_id?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description the Credential ID from Associates Central (overrides `AMAZON_CREATORS_CREDENTIAL_ID`). */
                                    value: string | null;
                                };
                                creators_credential_secret?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                creators_credential_version?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description one of 2.1, 2.2, 2.3, 3.1, 3.2, 3.3 (overrides `AMAZON_CREATORS_CREDENTIAL_VERSION`). */
                                    value: string | null;
                                };
                                creators_token_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL of the OAuth2 token endpoint (overrides `AMAZON_CREATORS_TOKEN_URL`). */
                                    value: string | null;
                                };
                                enabled?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description true or false (overrides `AMAZON_PAAPI_ENABLED`). */
                                    value: boolean | null;
                                };
                                keepa_api_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL, e.g. `http://127.0.0.1:8787/keepa` (overrides `AMAZON_KEEPA_API_URL`). */
                                    value: string | null;
                                };
                                keepa_key?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                marketplace?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description a marketplace domain such as `www.amazon.fr` (overrides `AMAZON_MARKETPLACE`). */
                                    value: string | null;
                                };
                                paapi_access_key?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description the PA-API access key (overrides `AMAZON_PAAPI_ACCESS_KEY`). */
                                    value: string | null;
                                };
                                paapi_endpoint?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_PAAPI_ENDPOINT`). */
                                    value: string | null;
                                };
                                paapi_host?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description a host such as `webservices.amazon.fr` (overrides `AMAZON_PAAPI_HOST`). */
                                    value: string | null;
                                };
                                paapi_region?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an AWS region such as `eu-west-1` (overrides `AMAZON_PAAPI_REGION`). */
                                    value: string | null;
                                };
                                paapi_secret_key?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                provider?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description `creators` or `paapi` or `spapi` or `keepa` (overrides `AMAZON_PROVIDER`). */
                                    value: string | null;
                                };
                                spapi_client_id?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description the LWA client id of your SP-API app (amzn1.application-oa2-client.…) (overrides `AMAZON_SPAPI_CLIENT_ID`). */
                                    value: string | null;
                                };
                                spapi_client_secret?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                spapi_endpoint?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL replacing the regional SP-API host, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_SPAPI_ENDPOINT`). */
                                    value: string | null;
                                };
                                spapi_refresh_token?: {
                                    secret: boolean;
                                    /** @description Whether the secret has a value (from `source`). */
                                    set: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /**
                                     * @description Always null: nothing of a secret is shown.
                                     * @enum {object|null}
                                     */
                                    value: never | null;
                                };
                                spapi_token_url?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description an http(s) URL of the Login with Amazon token endpoint (overrides `AMAZON_SPAPI_TOKEN_URL`). */
                                    value: string | null;
                                };
                                timeout_ms?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description milliseconds, ≥ 100 (overrides `AMAZON_TIMEOUT_MS`). */
                                    value: number | null;
                                };
                                tpd?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description requests per day, a whole number ≥ 1 (overrides `AMAZON_TPD`). */
                                    value: number | null;
                                };
                                tps?: {
                                    secret: boolean;
                                    /** @enum {string} */
                                    source: "default" | "env" | "stored";
                                    /** @description requests per second, a positive number (overrides `AMAZON_TPS`). */
                                    value: number | null;
                                };
                            };
                            /** @description Last change of a stored value. */
                            updated_at: string | null;
                        };
                    };
                };
                /** @description Every error answer has this shape. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "admin" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/amazon/products/{asin}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Full normalised product data of an ASIN
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description Marketplace domain or country code; default: the configured marketplace.
                     * @example www.amazon.de
                     */
                    marketplace?: string;
                };
                header?: never;
                path: {
                    /** @example B08N5WRWNW */
                    asin: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The product */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "asin": "B0DEMO0001",
                         *       "marketplace": "www.amazon.fr",
                         *       "product": {
                         *         "asin": "B0DEMO0001"
                         *       }
                         *     }
                         */
                        "application/json": {
                            asin: string;
                            marketplace: string;
                            /** @description The normalised product (asin, title, brand, price, images, external_ids…). */
                            product: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
                /** @description Malformed input (the message says which field) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon refused the credentials or failed */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon access is disabled or not configured */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon did not answer in time */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/amazon/products/{asin}/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether an ASIN exists and is accessible on the marketplace
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /**
                     * @description Marketplace domain or country code; default: the configured marketplace.
                     * @example www.amazon.de
                     */
                    marketplace?: string;
                };
                header?: never;
                path: {
                    /** @example B08N5WRWNW */
                    asin: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Whether the ASIN is valid, and why */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "asin": "B0DEMO0001",
                         *       "marketplace": "www.amazon.fr",
                         *       "valid": true,
                         *       "reason": "B0DEMO0001 exists on www.amazon.fr."
                         *     }
                         */
                        "application/json": {
                            asin: string;
                            marketplace: string;
                            reason: string;
                            valid: boolean;
                        };
                    };
                };
                /** @description Malformed input (the message says which field) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon refused the credentials or failed */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon access is disabled or not configured */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon did not answer in time */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/amazon/products/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Best ASIN for a barcode, with confidence, reasons and candidates
         * @description Searches the code (one searchItems, a second page only when the first lists no item with the code) and scores the items with the matching module, applying your matching rules.
         *
         *     Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query: {
                    /**
                     * @description EAN-13/8, UPC-A/E, ISBN-10/13, GTIN-14 or JAN.
                     * @example 3017620422003
                     */
                    code: string;
                    /**
                     * @description Marketplace domain or country code; default: the configured marketplace.
                     * @example www.amazon.de
                     */
                    marketplace?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The decision for the code (found: false when no item matches) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "input": "3017620422003",
                         *       "repairs": [],
                         *       "alternatives": [],
                         *       "code": "3017620422003",
                         *       "code_type": "EAN-13",
                         *       "gtin14": "03017620422003",
                         *       "marketplace": "www.amazon.fr",
                         *       "found": true,
                         *       "asin": "B0DEMO0001",
                         *       "match_type": "exact",
                         *       "confidence": 0.95,
                         *       "band": "high",
                         *       "reasons": [
                         *         "ean_listed"
                         *       ],
                         *       "product": {
                         *         "asin": "B0DEMO0001",
                         *         "title": "Nutella 400 g"
                         *       },
                         *       "candidates": [],
                         *       "total_results": 1,
                         *       "request_ids": []
                         *     }
                         */
                        "application/json": {
                            /** @description Other forms of the code searched or matched on (UPC-A, ISBN-10, unit GTIN). */
                            alternatives?: {
                                code?: string;
                                relation?: string;
                                type?: string;
                            }[];
                            asin?: string | null;
                            band?: string;
                            candidates?: ({
                                asin?: string;
                                brand?: string | null;
                                confidence?: number;
                                /** @description The item's first image URL. */
                                image?: string | null;
                                match_type?: string;
                                parent_asin?: string | null;
                                rank?: number | null;
                                reasons?: string[];
                                rejected?: boolean;
                                title?: string | null;
                            } & {
                                [key: string]: unknown;
                            })[];
                            code?: string;
                            code_type?: string;
                            confidence?: number;
                            found?: boolean;
                            gtin14?: string;
                            /** @description The code as typed. */
                            input?: string;
                            marketplace?: string;
                            /** @enum {string} */
                            match_type?: "exact" | "partial" | "fuzzy" | "manual" | "none";
                            /** @description The normalised product (asin, title, brand, price, images, external_ids…). */
                            product?: {
                                [key: string]: unknown;
                            } | null;
                            reasons?: string[];
                            /** @description What was done to read it: repaired_leading_zeros, cleaned, case_pack, ambiguous_8_digit, numeric_cell. */
                            repairs?: string[];
                            request_ids?: string[];
                            total_results?: number | null;
                        };
                    };
                };
                /** @description Malformed input (the message says which field) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not found */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon refused the credentials or failed */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon access is disabled or not configured */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Amazon did not answer in time */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/amazon/quotas": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Quota dashboard: allowed pace, use and what is left, per credential
         * @description Figures from every process using this database (written within a second). Keepa credentials show their token budget.
         *
         *     Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Every credential used through this database, with its quota and its use */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "now": "2026-12-05T03:00:00.000Z",
                         *       "credentials": [
                         *         {
                         *           "provider": "keepa",
                         *           "credential": "…x7Qa",
                         *           "key": "keepa:5f2c…",
                         *           "allowed": {
                         *             "requests_per_second": 1,
                         *             "requests_per_day": 8640,
                         *             "tokens_per_minute": 20
                         *           },
                         *           "requests": {
                         *             "last_minute": 1,
                         *             "last_hour": 12,
                         *             "today": 40
                         *           },
                         *           "tokens": {
                         *             "last_minute": 100,
                         *             "last_hour": 1210,
                         *             "today": 3950
                         *           },
                         *           "throttled": {
                         *             "last_minute": 0,
                         *             "last_hour": 1,
                         *             "today": 1
                         *           },
                         *           "remaining": {
                         *             "requests_today": 8600,
                         *             "tokens_left": -80
                         *           },
                         *           "paused_until": null,
                         *           "next_reset": {
                         *             "requests": "2026-12-06T00:00:00.000Z",
                         *             "tokens": "2026-12-05T03:00:41.000Z"
                         *           },
                         *           "updated_at": "2026-12-05T02:59:59.000Z"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            credentials: {
                                allowed: {
                                    requests_per_day: number;
                                    requests_per_second: number;
                                    /** @description Keepa: the refill rate of the plan. */
                                    tokens_per_minute: number | null;
                                };
                                /** @description Credential id or access key; a Keepa key only by its last 4 characters. */
                                credential: string | null;
                                /** @description The shared limiter key (provider:sha256). */
                                key: string;
                                next_reset: {
                                    /** @description Next 00:00 UTC. */
                                    requests: string;
                                    /** @description Keepa: next refill. */
                                    tokens: string | null;
                                };
                                paused_until: string | null;
                                provider: string;
                                remaining: {
                                    requests_today: number;
                                    /** @description Keepa: balance now (may be negative). */
                                    tokens_left: number | null;
                                };
                                /** @description Requests sent. */
                                requests: {
                                    /** @description In the last 60 minutes, this one included. */
                                    last_hour: number;
                                    /** @description In the current minute. */
                                    last_minute: number;
                                    /** @description Since 00:00 UTC. */
                                    today: number;
                                };
                                /** @description 429 answers. */
                                throttled: {
                                    /** @description In the last 60 minutes, this one included. */
                                    last_hour: number;
                                    /** @description In the current minute. */
                                    last_minute: number;
                                    /** @description Since 00:00 UTC. */
                                    today: number;
                                };
                                /** @description Tokens spent (Keepa). */
                                tokens: {
                                    /** @description In the last 60 minutes, this one included. */
                                    last_hour: number;
                                    /** @description In the current minute. */
                                    last_minute: number;
                                    /** @description Since 00:00 UTC. */
                                    today: number;
                                };
                                updated_at: string;
                            }[];
                            now: string;
                        };
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                500: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/amazon/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test the current settings, or the current ones with changes laid over them
         * @description One cheap call (the token request and one search: searchItems, or for SP-API a searchCatalogItems by one EAN). The body, optional, is laid over the current settings without storing them. A body that changes a URL (creators_api_url, creators_token_url, paapi_host, paapi_endpoint, spapi_endpoint, spapi_token_url) must bring the secret(s) sent there (400 secret_required otherwise): configured secrets only go to configured URLs. Answers ok, or the problem in plain words.
         *
         *     Needs the `admin` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "marketplace": "www.amazon.de",
                     *       "associate_tag": "mystore-21",
                     *       "tps": null
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description your Associates tracking id, e.g. `mystore-21` (overrides `AMAZON_ASSOCIATE_TAG`).
                         * @example mystore-21
                         */
                        associate_tag?: string | null;
                        /**
                         * @description a whole number ≥ 1 (overrides `AMAZON_BURST`).
                         * @example 1
                         */
                        burst?: number | null;
                        /**
                         * @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_CREATORS_API_URL`).
                         * @example https://creatorsapi.amazon
                         */
                        creators_api_url?: string | null;
                        /**
                         * @description the Credential ID from Associates Central (overrides `AMAZON_CREATORS_CREDENTIAL_ID`).
                         * @example amzn1.application-oa2-client.0123456789
                         */
                        creators_credential_id?: string | null;
                        /**
                         * @description the Credential Secret (overrides `AMAZON_CREATORS_CREDENTIAL_SECRET`); secret: stored encrypted, never shown (only whether it is set).
                         * @example amzn1.oa2-cs.v1.0123456789abcdef
                         */
                        creators_credential_secret?: string | null;
                        /**
                         * @description one of 2.1, 2.2, 2.3, 3.1, 3.2, 3.3 (overrides `AMAZON_CREATORS_CREDENTIAL_VERSION`).
                         * @example 3.2
                         */
                        creators_credential_version?: string | null;
                        /**
                         * @description an http(s) URL of the OAuth2 token endpoint (overrides `AMAZON_CREATORS_TOKEN_URL`).
                         * @example https://api.amazon.co.uk/auth/o2/token
                         */
                        creators_token_url?: string | null;
                        /**
                         * @description true or false (overrides `AMAZON_PAAPI_ENABLED`).
                         * @example true
                         */
                        enabled?: boolean | null;
                        /**
                         * @description an http(s) URL, e.g. `http://127.0.0.1:8787/keepa` (overrides `AMAZON_KEEPA_API_URL`).
                         * @example https://api.keepa.com
                         */
                        keepa_api_url?: string | null;
                        /**
                         * @description the Keepa API access key (keepa.com → API) (overrides `AMAZON_KEEPA_KEY`); secret: stored encrypted, never shown (only whether it is set).
                         * @example abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01
                         */
                        keepa_key?: string | null;
                        /**
                         * @description a marketplace domain such as `www.amazon.fr` (overrides `AMAZON_MARKETPLACE`).
                         * @example www.amazon.fr
                         */
                        marketplace?: string | null;
                        /**
                         * @description the PA-API access key (overrides `AMAZON_PAAPI_ACCESS_KEY`).
                         * @example AKIAIOSFODNN7EXAMPLE
                         */
                        paapi_access_key?: string | null;
                        /**
                         * @description an http(s) URL, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_PAAPI_ENDPOINT`).
                         * @example http://127.0.0.1:8787
                         */
                        paapi_endpoint?: string | null;
                        /**
                         * @description a host such as `webservices.amazon.fr` (overrides `AMAZON_PAAPI_HOST`).
                         * @example webservices.amazon.fr
                         */
                        paapi_host?: string | null;
                        /**
                         * @description an AWS region such as `eu-west-1` (overrides `AMAZON_PAAPI_REGION`).
                         * @example eu-west-1
                         */
                        paapi_region?: string | null;
                        /**
                         * @description the PA-API secret key (overrides `AMAZON_PAAPI_SECRET_KEY`); secret: stored encrypted, never shown (only whether it is set).
                         * @example wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
                         */
                        paapi_secret_key?: string | null;
                        /**
                         * @description `creators` or `paapi` or `spapi` or `keepa` (overrides `AMAZON_PROVIDER`).
                         * @example creators
                         */
                        provider?: string | null;
                        /**
                         * @description the LWA client id of your SP-API app (amzn1.application-oa2-client.…) (overrides `AMAZON_SPAPI_CLIENT_ID`).
                         * @example amzn1.application-oa2-client.0123456789abcdef
                         */
                        spapi_client_id?: string | null;
                        /**
                         * @description the LWA client secret of your SP-API app (overrides `AMAZON_SPAPI_CLIENT_SECRET`); secret: stored encrypted, never shown (only whether it is set).
                         * @example amzn1.oa2-cs.v1.0123456789abcdef
                         */
                        spapi_client_secret?: string | null;
                        /**
                         * @description an http(s) URL replacing the regional SP-API host, e.g. `http://127.0.0.1:8787` (overrides `AMAZON_SPAPI_ENDPOINT`).
                         * @example https://sellingpartnerapi-eu.amazon.com
                         */
                        spapi_endpoint?: string | null;
                        /**
                         * @description the refresh token of your self-authorisation (Atzr|…) (overrides `AMAZON_SPAPI_REFRESH_TOKEN`); secret: stored encrypted, never shown (only whether it is set).
                         * @example Atzr|IwEBIEXAMPLE
                         */
                        spapi_refresh_token?: string | null;
                        /**
                         * @description an http(s) URL of the Login with Amazon token endpoint (overrides `AMAZON_SPAPI_TOKEN_URL`).
                         * @example https://api.amazon.com/auth/o2/token
                         */
                        spapi_token_url?: string | null;
                        /**
                         * @description milliseconds, ≥ 100 (overrides `AMAZON_TIMEOUT_MS`).
                         * @example 10000
                         */
                        timeout_ms?: number | null;
                        /**
                         * @description requests per day, a whole number ≥ 1 (overrides `AMAZON_TPD`).
                         * @example 8640
                         */
                        tpd?: number | null;
                        /**
                         * @description requests per second, a positive number (overrides `AMAZON_TPS`).
                         * @example 1
                         */
                        tps?: number | null;
                    };
                };
            };
            responses: {
                /** @description The outcome of the test (a failed test is still a 200) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            latency_ms: number;
                            marketplace: string;
                            ok: boolean;
                            /** @description Only when ok is false: what is wrong, in plain words. */
                            problem?: {
                                code?: string;
                                message?: string;
                                reason?: string | null;
                                /** @description Only when the Creators token request failed: what the token endpoint answered (HTTP status, RFC 6749 error and error_description). */
                                token_endpoint?: {
                                    error?: string | null;
                                    error_description?: string | null;
                                    host?: string;
                                    status?: number;
                                };
                            };
                            provider: string;
                        };
                    };
                };
                /** @description Every error answer has this shape. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "admin" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List jobs (yours; every owner's with an admin token)
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    page?: number;
                    per_page?: number;
                    /** @description In the name and the supplier code. */
                    search?: string;
                    sort?: "created_at" | "-created_at" | "name" | "-name" | "status" | "-status";
                    status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *           "owner": "alice",
                         *           "name": "Mapping Janvier 2026",
                         *           "supplier_code": "SUP-042",
                         *           "status": "processing",
                         *           "marketplaces": [
                         *             "www.amazon.fr"
                         *           ],
                         *           "options": {
                         *             "name": "Mapping Janvier 2026",
                         *             "marketplaces": [
                         *               "www.amazon.fr"
                         *             ],
                         *             "use_amazon_api": true
                         *           },
                         *           "source_file_name": "codes_ean.csv",
                         *           "source_format": "csv",
                         *           "preflight": {
                         *             "rows": 1200,
                         *             "valid": 1180,
                         *             "invalid": 20,
                         *             "to_query": 1000,
                         *             "eta_seconds": 1000
                         *           },
                         *           "counters": {
                         *             "total_rows": 1200,
                         *             "valid_rows": 1180,
                         *             "invalid_rows": 20,
                         *             "duplicate_rows": 30,
                         *             "cached": 150,
                         *             "to_query": 1000,
                         *             "done": 650,
                         *             "found": 560,
                         *             "to_review": 30,
                         *             "not_found": 55,
                         *             "errors": 5
                         *           },
                         *           "retry_count": 0,
                         *           "next_retry_at": null,
                         *           "error_message": null,
                         *           "created_at": "2026-01-15T09:30:00.000Z",
                         *           "updated_at": "2026-01-15T09:30:00.000Z",
                         *           "started_at": "2026-01-15T09:30:00.000Z",
                         *           "completed_at": null,
                         *           "allowed_actions": [
                         *             "pause",
                         *             "cancel"
                         *           ],
                         *           "progress": {
                         *             "percent": 56.5,
                         *             "done": 650,
                         *             "total": 1150,
                         *             "rate_per_second": 1,
                         *             "eta_seconds": 500
                         *           }
                         *         }
                         *       ],
                         *       "total": 1,
                         *       "page": 1,
                         *       "per_page": 20
                         *     }
                         */
                        "application/json": {
                            items?: {
                                allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                                completed_at?: string | null;
                                counters?: {
                                    cached?: number;
                                    done?: number;
                                    duplicate_rows?: number;
                                    errors?: number;
                                    found?: number;
                                    invalid_rows?: number;
                                    not_found?: number;
                                    to_query?: number;
                                    to_review?: number;
                                    total_rows?: number;
                                    valid_rows?: number;
                                };
                                created_at?: string;
                                error_message?: string | null;
                                id?: string;
                                marketplaces?: string[];
                                name?: string;
                                next_retry_at?: string | null;
                                options?: {
                                    [key: string]: unknown;
                                };
                                owner?: string;
                                /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                                preflight?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                                progress?: {
                                    done?: number;
                                    eta_seconds?: number | null;
                                    percent?: number;
                                    rate_per_second?: number | null;
                                    total?: number;
                                };
                                /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                                provider?: {
                                    name?: string;
                                    source?: string;
                                } | null;
                                retry_count?: number;
                                source_file_name?: string | null;
                                source_format?: string | null;
                                started_at?: string | null;
                                /** @enum {string} */
                                status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                                supplier_code?: string | null;
                                updated_at?: string;
                            }[];
                            page?: number;
                            per_page?: number;
                            total?: number;
                        };
                    };
                };
                /** @description Invalid query */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create a job from an uploaded file (multipart) or a list of codes (JSON)
         * @description multipart/form-data: `file` plus optional fields; the file is streamed to disk, never held in memory, and refused over CODE2ASIN_UPLOAD_LIMIT_MB (413). application/json: `{name, codes, marketplaces, …}`. The job is read, checked (pre-flight report) and started unless `options.auto_start` is false; the answer comes once the input is read (on an ingestion thread in `serve`, CODE2ASIN_INGEST_THREADS).
         *
         *     Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "name": "From a script",
                     *       "codes": [
                     *         "3017620422003",
                     *         "0885909950805"
                     *       ],
                     *       "marketplaces": [
                     *         "fr"
                     *       ]
                     *     }
                     */
                    "application/json": {
                        codes: string[];
                        marketplaces?: string[];
                        name: string;
                        options?: {
                            [key: string]: unknown;
                        };
                        supplier_code?: string;
                        use_amazon_api?: boolean;
                    } & {
                        [key: string]: unknown;
                    };
                    /**
                     * @example {
                     *       "file": "(codes_ean.csv)",
                     *       "name": "Mapping Janvier 2026",
                     *       "marketplaces": "fr,de"
                     *     }
                     */
                    "multipart/form-data": {
                        /** @description The code column: header name, letter or 1-based number (default: detected). */
                        column?: string;
                        /** @description A provider that adds offers and prices for the ASINs the others found (e.g. `creators`). */
                        enrich_with?: string;
                        /**
                         * Format: binary
                         * @description CSV, TSV, TXT or XLSX.
                         */
                        file: string;
                        /** @description Comma list or repeated field: fr, de, www.amazon.co.uk… (default: AMAZON_MARKETPLACE). */
                        marketplaces?: string;
                        /** @description Job name (default: the file name). */
                        name?: string;
                        /** @description Other job options as a JSON object (refresh, auto_start, sheet, asin_column, webhook_url, providers, enrich_with…). */
                        options?: string;
                        /** @description The providers asked in order, comma list or repeated field (e.g. `spapi,creators,keepa`): a code one does not find goes to the next. Default: the configured provider. */
                        providers?: string;
                        supplier_code?: string;
                        /**
                         * @description false: import the file's ASIN column as is.
                         * @enum {string}
                         */
                        use_amazon_api?: "true" | "false";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "job_id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "status": "processing",
                         *       "message": "Job created and started: 1000 code(s) to query, 150 already known (about 17 min).",
                         *       "job": {
                         *         "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *         "owner": "alice",
                         *         "name": "Mapping Janvier 2026",
                         *         "supplier_code": "SUP-042",
                         *         "status": "processing",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "options": {
                         *           "name": "Mapping Janvier 2026",
                         *           "marketplaces": [
                         *             "www.amazon.fr"
                         *           ],
                         *           "use_amazon_api": true
                         *         },
                         *         "source_file_name": "codes_ean.csv",
                         *         "source_format": "csv",
                         *         "preflight": {
                         *           "rows": 1200,
                         *           "valid": 1180,
                         *           "invalid": 20,
                         *           "to_query": 1000,
                         *           "eta_seconds": 1000
                         *         },
                         *         "counters": {
                         *           "total_rows": 1200,
                         *           "valid_rows": 1180,
                         *           "invalid_rows": 20,
                         *           "duplicate_rows": 30,
                         *           "cached": 150,
                         *           "to_query": 1000,
                         *           "done": 650,
                         *           "found": 560,
                         *           "to_review": 30,
                         *           "not_found": 55,
                         *           "errors": 5
                         *         },
                         *         "retry_count": 0,
                         *         "next_retry_at": null,
                         *         "error_message": null,
                         *         "created_at": "2026-01-15T09:30:00.000Z",
                         *         "updated_at": "2026-01-15T09:30:00.000Z",
                         *         "started_at": "2026-01-15T09:30:00.000Z",
                         *         "completed_at": null,
                         *         "allowed_actions": [
                         *           "pause",
                         *           "cancel"
                         *         ],
                         *         "progress": {
                         *           "percent": 56.5,
                         *           "done": 650,
                         *           "total": 1150,
                         *           "rate_per_second": 1,
                         *           "eta_seconds": 500
                         *         }
                         *       }
                         *     }
                         */
                        "application/json": {
                            id?: string;
                            /**
                             * @example {
                             *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                             *       "owner": "alice",
                             *       "name": "Mapping Janvier 2026",
                             *       "supplier_code": "SUP-042",
                             *       "status": "processing",
                             *       "marketplaces": [
                             *         "www.amazon.fr"
                             *       ],
                             *       "options": {
                             *         "name": "Mapping Janvier 2026",
                             *         "marketplaces": [
                             *           "www.amazon.fr"
                             *         ],
                             *         "use_amazon_api": true
                             *       },
                             *       "source_file_name": "codes_ean.csv",
                             *       "source_format": "csv",
                             *       "preflight": {
                             *         "rows": 1200,
                             *         "valid": 1180,
                             *         "invalid": 20,
                             *         "to_query": 1000,
                             *         "eta_seconds": 1000
                             *       },
                             *       "counters": {
                             *         "total_rows": 1200,
                             *         "valid_rows": 1180,
                             *         "invalid_rows": 20,
                             *         "duplicate_rows": 30,
                             *         "cached": 150,
                             *         "to_query": 1000,
                             *         "done": 650,
                             *         "found": 560,
                             *         "to_review": 30,
                             *         "not_found": 55,
                             *         "errors": 5
                             *       },
                             *       "retry_count": 0,
                             *       "next_retry_at": null,
                             *       "error_message": null,
                             *       "created_at": "2026-01-15T09:30:00.000Z",
                             *       "updated_at": "2026-01-15T09:30:00.000Z",
                             *       "started_at": "2026-01-15T09:30:00.000Z",
                             *       "completed_at": null,
                             *       "allowed_actions": [
                             *         "pause",
                             *         "cancel"
                             *       ],
                             *       "progress": {
                             *         "percent": 56.5,
                             *         "done": 650,
                             *         "total": 1150,
                             *         "rate_per_second": 1,
                             *         "eta_seconds": 500
                             *       }
                             *     }
                             */
                            job?: {
                                allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                                completed_at?: string | null;
                                counters?: {
                                    cached?: number;
                                    done?: number;
                                    duplicate_rows?: number;
                                    errors?: number;
                                    found?: number;
                                    invalid_rows?: number;
                                    not_found?: number;
                                    to_query?: number;
                                    to_review?: number;
                                    total_rows?: number;
                                    valid_rows?: number;
                                };
                                created_at?: string;
                                error_message?: string | null;
                                id?: string;
                                marketplaces?: string[];
                                name?: string;
                                next_retry_at?: string | null;
                                options?: {
                                    [key: string]: unknown;
                                };
                                owner?: string;
                                /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                                preflight?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                                progress?: {
                                    done?: number;
                                    eta_seconds?: number | null;
                                    percent?: number;
                                    rate_per_second?: number | null;
                                    total?: number;
                                };
                                /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                                provider?: {
                                    name?: string;
                                    source?: string;
                                } | null;
                                retry_count?: number;
                                source_file_name?: string | null;
                                source_format?: string | null;
                                started_at?: string | null;
                                /** @enum {string} */
                                status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                                supplier_code?: string | null;
                                updated_at?: string;
                            };
                            job_id?: string;
                            message?: string;
                            /** @description With status `waiting_for_amazon`: each Amazon setting still missing, by environment variable and by `PUT /api/v1/amazon/config` field. */
                            missing_settings?: {
                                field?: string;
                                problem?: string;
                                variable?: string;
                            }[];
                            status?: string;
                        };
                    };
                };
                /** @description Invalid field, empty file, no code column or unreadable file (with the detection report) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The file is over the upload limit (named) */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Unsupported file format (the supported ones are named), or a body neither multipart nor JSON */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description ingestion_busy: CODE2ASIN_INGEST_QUEUE uploads are waiting already; database_unavailable: the database cannot be reached. Nothing was stored; send it again after Retry-After seconds */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description disk_full: the upload cannot be stored (the database volume, or the temporary folder uploads are received in, is full). Nothing of it was kept, no job was created; free space and send it again after Retry-After seconds */
                507: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job with counters, pre-flight report, progress, rate, ETA and statistics
         * @description `?wait=N` (seconds, up to 300) answers as soon as the job is no longer running (completed, failed, cancelled, paused, pending or waiting for Amazon), or after N seconds with the job as it is then: a script waits for the end with one request, or a loop of them.
         *
         *     Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description Seconds to wait while the job is processing (0–300, default 0: answer at once). */
                    wait?: number;
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "owner": "alice",
                         *       "name": "Mapping Janvier 2026",
                         *       "supplier_code": "SUP-042",
                         *       "status": "processing",
                         *       "marketplaces": [
                         *         "www.amazon.fr"
                         *       ],
                         *       "options": {
                         *         "name": "Mapping Janvier 2026",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "use_amazon_api": true
                         *       },
                         *       "source_file_name": "codes_ean.csv",
                         *       "source_format": "csv",
                         *       "preflight": {
                         *         "rows": 1200,
                         *         "valid": 1180,
                         *         "invalid": 20,
                         *         "to_query": 1000,
                         *         "eta_seconds": 1000
                         *       },
                         *       "counters": {
                         *         "total_rows": 1200,
                         *         "valid_rows": 1180,
                         *         "invalid_rows": 20,
                         *         "duplicate_rows": 30,
                         *         "cached": 150,
                         *         "to_query": 1000,
                         *         "done": 650,
                         *         "found": 560,
                         *         "to_review": 30,
                         *         "not_found": 55,
                         *         "errors": 5
                         *       },
                         *       "retry_count": 0,
                         *       "next_retry_at": null,
                         *       "error_message": null,
                         *       "created_at": "2026-01-15T09:30:00.000Z",
                         *       "updated_at": "2026-01-15T09:30:00.000Z",
                         *       "started_at": "2026-01-15T09:30:00.000Z",
                         *       "completed_at": null,
                         *       "allowed_actions": [
                         *         "pause",
                         *         "cancel"
                         *       ],
                         *       "progress": {
                         *         "percent": 56.5,
                         *         "done": 650,
                         *         "total": 1150,
                         *         "rate_per_second": 1,
                         *         "eta_seconds": 500
                         *       },
                         *       "statistics": {
                         *         "total_codes": 1150,
                         *         "with_asin": 590,
                         *         "exact_matches": 540,
                         *         "pending": 500
                         *       }
                         *     }
                         */
                        "application/json": {
                            allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                            completed_at?: string | null;
                            counters?: {
                                cached?: number;
                                done?: number;
                                duplicate_rows?: number;
                                errors?: number;
                                found?: number;
                                invalid_rows?: number;
                                not_found?: number;
                                to_query?: number;
                                to_review?: number;
                                total_rows?: number;
                                valid_rows?: number;
                            };
                            created_at?: string;
                            error_message?: string | null;
                            id?: string;
                            marketplaces?: string[];
                            name?: string;
                            next_retry_at?: string | null;
                            options?: {
                                [key: string]: unknown;
                            };
                            owner?: string;
                            /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                            preflight?: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                            progress?: {
                                done?: number;
                                eta_seconds?: number | null;
                                percent?: number;
                                rate_per_second?: number | null;
                                total?: number;
                            };
                            /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                            provider?: {
                                name?: string;
                                source?: string;
                            } | null;
                            retry_count?: number;
                            source_file_name?: string | null;
                            source_format?: string | null;
                            started_at?: string | null;
                            /** @description The job's tiles over its units (all marketplaces). */
                            statistics?: {
                                average_confidence?: number | null;
                                errors?: number;
                                exact_matches?: number;
                                fuzzy_matches?: number;
                                manual_matches?: number;
                                not_found?: number;
                                partial_matches?: number;
                                pending?: number;
                                to_review?: number;
                                total_codes?: number;
                                with_asin?: number;
                                with_images?: number;
                                with_price?: number;
                            };
                            /** @enum {string} */
                            status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                            supplier_code?: string | null;
                            updated_at?: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a job with its rows, results and logs (not while it is processing)
         * @description Needs the `delete` scope (or `admin`).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "delete" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not allowed in the job status; details.allowed lists what is */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a job; results so far are kept and downloadable
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "owner": "alice",
                         *       "name": "Mapping Janvier 2026",
                         *       "supplier_code": "SUP-042",
                         *       "status": "processing",
                         *       "marketplaces": [
                         *         "www.amazon.fr"
                         *       ],
                         *       "options": {
                         *         "name": "Mapping Janvier 2026",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "use_amazon_api": true
                         *       },
                         *       "source_file_name": "codes_ean.csv",
                         *       "source_format": "csv",
                         *       "preflight": {
                         *         "rows": 1200,
                         *         "valid": 1180,
                         *         "invalid": 20,
                         *         "to_query": 1000,
                         *         "eta_seconds": 1000
                         *       },
                         *       "counters": {
                         *         "total_rows": 1200,
                         *         "valid_rows": 1180,
                         *         "invalid_rows": 20,
                         *         "duplicate_rows": 30,
                         *         "cached": 150,
                         *         "to_query": 1000,
                         *         "done": 650,
                         *         "found": 560,
                         *         "to_review": 30,
                         *         "not_found": 55,
                         *         "errors": 5
                         *       },
                         *       "retry_count": 0,
                         *       "next_retry_at": null,
                         *       "error_message": null,
                         *       "created_at": "2026-01-15T09:30:00.000Z",
                         *       "updated_at": "2026-01-15T09:30:00.000Z",
                         *       "started_at": "2026-01-15T09:30:00.000Z",
                         *       "completed_at": null,
                         *       "allowed_actions": [
                         *         "pause",
                         *         "cancel"
                         *       ],
                         *       "progress": {
                         *         "percent": 56.5,
                         *         "done": 650,
                         *         "total": 1150,
                         *         "rate_per_second": 1,
                         *         "eta_seconds": 500
                         *       }
                         *     }
                         */
                        "application/json": {
                            allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                            completed_at?: string | null;
                            counters?: {
                                cached?: number;
                                done?: number;
                                duplicate_rows?: number;
                                errors?: number;
                                found?: number;
                                invalid_rows?: number;
                                not_found?: number;
                                to_query?: number;
                                to_review?: number;
                                total_rows?: number;
                                valid_rows?: number;
                            };
                            created_at?: string;
                            error_message?: string | null;
                            id?: string;
                            marketplaces?: string[];
                            name?: string;
                            next_retry_at?: string | null;
                            options?: {
                                [key: string]: unknown;
                            };
                            owner?: string;
                            /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                            preflight?: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                            progress?: {
                                done?: number;
                                eta_seconds?: number | null;
                                percent?: number;
                                rate_per_second?: number | null;
                                total?: number;
                            };
                            /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                            provider?: {
                                name?: string;
                                source?: string;
                            } | null;
                            retry_count?: number;
                            source_file_name?: string | null;
                            source_format?: string | null;
                            started_at?: string | null;
                            /** @enum {string} */
                            status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                            supplier_code?: string | null;
                            updated_at?: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not allowed in the job status; details.allowed lists what is */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/decisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job's review decisions, newest first (undone ones say when)
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description The previous page's `next_before`. */
                    before?: number;
                    per_page?: number;
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items?: {
                                action?: string;
                                asin?: string | null;
                                batch_id?: string;
                                code?: string;
                                created_at?: string;
                                decided_by?: string;
                                id?: number;
                                marketplace?: string;
                                previous_asin?: string | null;
                                result_id?: number;
                                undone_at?: string | null;
                            }[];
                            next_before?: number | null;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Decide one result: accept, choose a candidate, enter an ASIN, or no match
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "result_id": 42,
                     *       "action": "choose",
                     *       "asin": "B0DEMO0002"
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description `accept` the proposal (its ASIN, else its best candidate), `choose` a candidate, enter an `asin`, or `no_match`.
                         * @enum {string}
                         */
                        action: "accept" | "choose" | "asin" | "no_match";
                        /** @description For `choose` and `asin`. */
                        asin?: string | null;
                        /**
                         * @description Also store the decision as the owner's matching rule (`always` the ASIN, `never` the rejected one), applied to the same code in later jobs. Off by default.
                         * @default false
                         */
                        remember?: boolean;
                        result_id: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            batch_id?: string;
                            /**
                             * @example {
                             *       "id": 42,
                             *       "job_id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                             *       "marketplace": "www.amazon.fr",
                             *       "code": "3017620422003",
                             *       "gtin": "03017620422003",
                             *       "code_type": "EAN-13",
                             *       "context": {
                             *         "title": "Nutella pâte à tartiner 400g",
                             *         "brand": "Ferrero",
                             *         "quantity": 1
                             *       },
                             *       "status": "found",
                             *       "source": "api",
                             *       "asin": "B0DEMO0001",
                             *       "proposed_asin": null,
                             *       "match_type": "exact",
                             *       "confidence": 0.97,
                             *       "reasons": [
                             *         "ean_listed",
                             *         "single_hit"
                             *       ],
                             *       "candidates": [
                             *         {
                             *           "asin": "B0DEMO0001",
                             *           "title": "Nutella 400 g",
                             *           "match_type": "exact",
                             *           "confidence": 0.97,
                             *           "rejected": false,
                             *           "rank": 1
                             *         }
                             *       ],
                             *       "product": {
                             *         "asin": "B0DEMO0001",
                             *         "title": "Nutella 400 g",
                             *         "brand": "Ferrero"
                             *       },
                             *       "previous_asin": null,
                             *       "attempts": 1,
                             *       "error_class": null,
                             *       "error_message": null,
                             *       "updated_at": "2026-01-15T09:31:02.120Z"
                             *     }
                             */
                            result?: {
                                /** @description Only a match accepted automatically (above the threshold), by a rule or by a person. */
                                asin?: string | null;
                                attempts?: number;
                                candidates?: ({
                                    asin?: string;
                                    brand?: string | null;
                                    confidence?: number;
                                    /** @description The first image URL the provider gave for this item (older results: absent). Browsers read it through `GET /jobs/{id}/results/{resultId}/images/{asin}`. */
                                    image?: string | null;
                                    match_type?: string;
                                    rank?: number | null;
                                    reasons?: string[];
                                    rejected?: boolean;
                                    title?: string | null;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                code?: string;
                                code_type?: string | null;
                                confidence?: number | null;
                                /** @description The supplier's row as in the file: title, brand, quantity (when the file has them). */
                                context?: {
                                    [key: string]: unknown;
                                } | null;
                                error_class?: string | null;
                                error_message?: string | null;
                                gtin?: string;
                                id?: number;
                                job_id?: string;
                                marketplace?: string;
                                match_type?: string | null;
                                previous_asin?: string | null;
                                product?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description The best candidate when the result waits for a person (`to_review`). */
                                proposed_asin?: string | null;
                                /** @description The provider that answered (`creators`, `spapi`, `keepa`…). */
                                provider?: string | null;
                                /** @description Jobs with `providers` or `enrich_with`: what each provider asked said, in order (`found`, `to_review`, `not_found`, `error`, `unusable`, `enriched`, `no_offer`). */
                                provider_outcomes?: {
                                    asin?: string | null;
                                    error_class?: string;
                                    message?: string;
                                    outcome: string;
                                    provider: string;
                                }[] | null;
                                reasons?: string[];
                                source?: string | null;
                                /**
                                 * @description `to_review`: a person must decide; `asin` is null and `proposed_asin` holds the best candidate.
                                 * @enum {string}
                                 */
                                status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                                updated_at?: string;
                            };
                            /** @description Undecided results the same decision fits, for `POST /jobs/{id}/decisions/similar`: `same_code` — the same code on the job’s other marketplaces; `same_listing` — other codes waiting for a person whose proposal is `listing` (the chosen ASIN, or the proposal turned down by a no match). Nothing is changed until that call. */
                            similar?: {
                                asin?: string | null;
                                listing?: string | null;
                                same_code?: {
                                    count?: number;
                                    examples?: {
                                        code?: string;
                                        id?: number;
                                        marketplace?: string;
                                    }[];
                                };
                                same_listing?: {
                                    count?: number;
                                    examples?: {
                                        code?: string;
                                        id?: number;
                                        marketplace?: string;
                                    }[];
                                };
                            };
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The results changed meanwhile */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/decisions/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decide every result of a filter in one transaction (one undo step)
         * @description At most 10000 results. With `accept`, results without any candidate are left as they are and counted in `skipped`.
         *
         *     Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "action": "accept",
                     *       "filter": {
                     *         "review": true,
                     *         "min_confidence": 0.9
                     *       },
                     *       "expected_count": 37
                     *     }
                     */
                    "application/json": {
                        /**
                         * @description `accept` the best candidate of each result, or mark each `no_match`.
                         * @enum {string}
                         */
                        action: "accept" | "no_match";
                        /** @description How many results the user confirmed; a different count now answers 409 with the new one. */
                        expected_count: number;
                        /** @description The same filters as `GET /jobs/{id}/results`. */
                        filter?: {
                            /** @description Domain or country code (www.amazon.fr, fr). */
                            marketplace?: string;
                            /** @enum {string} */
                            match_type?: "exact" | "partial" | "fuzzy" | "manual" | "none";
                            max_confidence?: number;
                            min_confidence?: number;
                            /** @description Only what needs a person: not yet decided by a person, and fuzzy or partial, confidence below 0.7, not found with candidates, or to review. */
                            review?: boolean;
                            /** @description Part of the code, GTIN or ASIN. */
                            search?: string;
                            /**
                             * @description `pending` includes the codes a worker is querying; `to_review` lists the proposals waiting for a person.
                             * @enum {string}
                             */
                            status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                        };
                        /**
                         * @description Also store the decision as the owner's matching rule (`always` the ASIN, `never` the rejected one), applied to the same code in later jobs. Off by default.
                         * @default false
                         */
                        remember?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            batch_id?: string | null;
                            decided?: number;
                            skipped?: number;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The results changed meanwhile */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/decisions/similar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Repeat a decision on the other results it fits (one undo step)
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "result_id": 42,
                     *       "scopes": [
                     *         "same_code",
                     *         "same_listing"
                     *       ],
                     *       "expected_count": 3
                     *     }
                     */
                    "application/json": {
                        /** @description How many results the user confirmed (the sum of the scopes’ counts); a different count now answers 409 with the new one. */
                        expected_count: number;
                        /**
                         * @description Also store matching rules.
                         * @default false
                         */
                        remember?: boolean;
                        /** @description The result just decided. */
                        result_id: number;
                        scopes: ("same_code" | "same_listing")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            batch_id?: string | null;
                            decided?: number;
                            /** @description The results as decided now (the first 200), for the page on screen. */
                            results?: {
                                /** @description Only a match accepted automatically (above the threshold), by a rule or by a person. */
                                asin?: string | null;
                                attempts?: number;
                                candidates?: ({
                                    asin?: string;
                                    brand?: string | null;
                                    confidence?: number;
                                    /** @description The first image URL the provider gave for this item (older results: absent). Browsers read it through `GET /jobs/{id}/results/{resultId}/images/{asin}`. */
                                    image?: string | null;
                                    match_type?: string;
                                    rank?: number | null;
                                    reasons?: string[];
                                    rejected?: boolean;
                                    title?: string | null;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                code?: string;
                                code_type?: string | null;
                                confidence?: number | null;
                                /** @description The supplier's row as in the file: title, brand, quantity (when the file has them). */
                                context?: {
                                    [key: string]: unknown;
                                } | null;
                                error_class?: string | null;
                                error_message?: string | null;
                                gtin?: string;
                                id?: number;
                                job_id?: string;
                                marketplace?: string;
                                match_type?: string | null;
                                previous_asin?: string | null;
                                product?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description The best candidate when the result waits for a person (`to_review`). */
                                proposed_asin?: string | null;
                                /** @description The provider that answered (`creators`, `spapi`, `keepa`…). */
                                provider?: string | null;
                                /** @description Jobs with `providers` or `enrich_with`: what each provider asked said, in order (`found`, `to_review`, `not_found`, `error`, `unusable`, `enriched`, `no_offer`). */
                                provider_outcomes?: {
                                    asin?: string | null;
                                    error_class?: string;
                                    message?: string;
                                    outcome: string;
                                    provider: string;
                                }[] | null;
                                reasons?: string[];
                                source?: string | null;
                                /**
                                 * @description `to_review`: a person must decide; `asin` is null and `proposed_asin` holds the best candidate.
                                 * @enum {string}
                                 */
                                status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                                updated_at?: string;
                            }[];
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not decided, or the count changed */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/decisions/undo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undo the latest decision (or bulk decision) of the job
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        batch_id?: string;
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            batch_id?: string;
                            result_ids?: number[];
                            /** @description The restored results (the first 200). */
                            results?: {
                                /** @description Only a match accepted automatically (above the threshold), by a rule or by a person. */
                                asin?: string | null;
                                attempts?: number;
                                candidates?: ({
                                    asin?: string;
                                    brand?: string | null;
                                    confidence?: number;
                                    /** @description The first image URL the provider gave for this item (older results: absent). Browsers read it through `GET /jobs/{id}/results/{resultId}/images/{asin}`. */
                                    image?: string | null;
                                    match_type?: string;
                                    rank?: number | null;
                                    reasons?: string[];
                                    rejected?: boolean;
                                    title?: string | null;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                code?: string;
                                code_type?: string | null;
                                confidence?: number | null;
                                /** @description The supplier's row as in the file: title, brand, quantity (when the file has them). */
                                context?: {
                                    [key: string]: unknown;
                                } | null;
                                error_class?: string | null;
                                error_message?: string | null;
                                gtin?: string;
                                id?: number;
                                job_id?: string;
                                marketplace?: string;
                                match_type?: string | null;
                                previous_asin?: string | null;
                                product?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description The best candidate when the result waits for a person (`to_review`). */
                                proposed_asin?: string | null;
                                /** @description The provider that answered (`creators`, `spapi`, `keepa`…). */
                                provider?: string | null;
                                /** @description Jobs with `providers` or `enrich_with`: what each provider asked said, in order (`found`, `to_review`, `not_found`, `error`, `unusable`, `enriched`, `no_offer`). */
                                provider_outcomes?: {
                                    asin?: string | null;
                                    error_class?: string;
                                    message?: string;
                                    outcome: string;
                                    provider: string;
                                }[] | null;
                                reasons?: string[];
                                source?: string | null;
                                /**
                                 * @description `to_review`: a person must decide; `asin` is null and `proposed_asin` holds the best candidate.
                                 * @enum {string}
                                 */
                                status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                                updated_at?: string;
                            }[];
                            undone?: number;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Nothing to undo, or not the latest decision */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download the result file (CSV, XLSX or JSON lines), streamed; allowed while running
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description Decimal separator of the added numeric columns in CSV: `auto` follows the input (a file writing 4,29 gets 4,29), `comma` or `point` force one. XLSX and JSON Lines hold numbers as numbers. */
                    decimal?: "auto" | "comma" | "point";
                    format?: "csv" | "xlsx" | "jsonl";
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The result file, streamed: your rows in their order with status, ASIN, match type, confidence and product columns appended (per marketplace). Allowed while the job runs (pending codes say so). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example code,name,status,asin,match_type,confidence
                         *     3017620422003,Nutella,found,B0DEMO0001,exact,0.97
                         */
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                        /**
                         * @example code,name,status,asin,match_type,confidence
                         *     3017620422003,Nutella,found,B0DEMO0001,exact,0.97
                         */
                        "application/x-ndjson": string;
                        /**
                         * @example code,name,status,asin,match_type,confidence
                         *     3017620422003,Nutella,found,B0DEMO0001,exact,0.97
                         */
                        "text/csv": string;
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["ErrorResponse"];
                        "application/x-ndjson": components["schemas"]["ErrorResponse"];
                        "text/csv": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["ErrorResponse"];
                        "application/x-ndjson": components["schemas"]["ErrorResponse"];
                        "text/csv": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["ErrorResponse"];
                        "application/x-ndjson": components["schemas"]["ErrorResponse"];
                        "text/csv": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["ErrorResponse"];
                        "application/x-ndjson": components["schemas"]["ErrorResponse"];
                        "text/csv": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["ErrorResponse"];
                        "application/x-ndjson": components["schemas"]["ErrorResponse"];
                        "text/csv": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/errors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job's lookup errors by class, each with an example message
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "total": 3,
                         *       "by_class": [
                         *         {
                         *           "error_class": "network",
                         *           "count": 3,
                         *           "example": "connection reset by the server"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            by_class?: {
                                count?: number;
                                /** @description network, throttled, auth… (`unknown` when unset) */
                                error_class?: string;
                                /** @description The message of one result of this class, to say what happened. */
                                example?: string | null;
                            }[];
                            total?: number;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Server-Sent Events: the job (status, counters, progress) while it changes
         * @description text/event-stream. `event: progress` at most every second while the job changes, `event: status` when its status changes (the first event is a `status` event), then `event: end` after a terminal status (completed, failed, cancelled) and the stream closes. Comment lines (`: heartbeat`) keep idle connections open.
         *
         *     Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description Seconds between heartbeat comments (lower it behind proxies with short idle timeouts). */
                    heartbeat?: number;
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The event stream. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example event: status
                         *     data: {"id":"0b6f…","status":"processing","counters":{…},"progress":{"percent":12.5,"done":125,"total":1000}}
                         *
                         *     : heartbeat
                         *
                         *     event: progress
                         *     data: {…}
                         *
                         *     event: end
                         *     data: {"status":"completed"}
                         */
                        "text/event-stream": string;
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job's log, newest first (or order=asc), filtered by level
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description Only entries of this level. */
                    level?: "DEBUG" | "INFO" | "WARNING" | "ERROR";
                    /** @description desc: newest first. */
                    order?: "desc" | "asc";
                    page?: number;
                    per_page?: number;
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": 3,
                         *           "level": "INFO",
                         *           "message": "Job started",
                         *           "details": {
                         *             "from": "pending",
                         *             "to": "processing"
                         *           },
                         *           "created_at": "2026-01-15T09:30:00.000Z"
                         *         }
                         *       ],
                         *       "total": 1,
                         *       "page": 1,
                         *       "per_page": 50
                         *     }
                         */
                        "application/json": {
                            items?: {
                                created_at?: string;
                                details?: {
                                    [key: string]: unknown;
                                } | null;
                                id?: number;
                                level?: string;
                                message?: string;
                            }[];
                            page?: number;
                            per_page?: number;
                            total?: number;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a job; the worker stops taking its codes within a second
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "owner": "alice",
                         *       "name": "Mapping Janvier 2026",
                         *       "supplier_code": "SUP-042",
                         *       "status": "processing",
                         *       "marketplaces": [
                         *         "www.amazon.fr"
                         *       ],
                         *       "options": {
                         *         "name": "Mapping Janvier 2026",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "use_amazon_api": true
                         *       },
                         *       "source_file_name": "codes_ean.csv",
                         *       "source_format": "csv",
                         *       "preflight": {
                         *         "rows": 1200,
                         *         "valid": 1180,
                         *         "invalid": 20,
                         *         "to_query": 1000,
                         *         "eta_seconds": 1000
                         *       },
                         *       "counters": {
                         *         "total_rows": 1200,
                         *         "valid_rows": 1180,
                         *         "invalid_rows": 20,
                         *         "duplicate_rows": 30,
                         *         "cached": 150,
                         *         "to_query": 1000,
                         *         "done": 650,
                         *         "found": 560,
                         *         "to_review": 30,
                         *         "not_found": 55,
                         *         "errors": 5
                         *       },
                         *       "retry_count": 0,
                         *       "next_retry_at": null,
                         *       "error_message": null,
                         *       "created_at": "2026-01-15T09:30:00.000Z",
                         *       "updated_at": "2026-01-15T09:30:00.000Z",
                         *       "started_at": "2026-01-15T09:30:00.000Z",
                         *       "completed_at": null,
                         *       "allowed_actions": [
                         *         "pause",
                         *         "cancel"
                         *       ],
                         *       "progress": {
                         *         "percent": 56.5,
                         *         "done": 650,
                         *         "total": 1150,
                         *         "rate_per_second": 1,
                         *         "eta_seconds": 500
                         *       }
                         *     }
                         */
                        "application/json": {
                            allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                            completed_at?: string | null;
                            counters?: {
                                cached?: number;
                                done?: number;
                                duplicate_rows?: number;
                                errors?: number;
                                found?: number;
                                invalid_rows?: number;
                                not_found?: number;
                                to_query?: number;
                                to_review?: number;
                                total_rows?: number;
                                valid_rows?: number;
                            };
                            created_at?: string;
                            error_message?: string | null;
                            id?: string;
                            marketplaces?: string[];
                            name?: string;
                            next_retry_at?: string | null;
                            options?: {
                                [key: string]: unknown;
                            };
                            owner?: string;
                            /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                            preflight?: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                            progress?: {
                                done?: number;
                                eta_seconds?: number | null;
                                percent?: number;
                                rate_per_second?: number | null;
                                total?: number;
                            };
                            /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                            provider?: {
                                name?: string;
                                source?: string;
                            } | null;
                            retry_count?: number;
                            source_file_name?: string | null;
                            source_format?: string | null;
                            started_at?: string | null;
                            /** @enum {string} */
                            status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                            supplier_code?: string | null;
                            updated_at?: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not allowed in the job status; details.allowed lists what is */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Results resolved over time, by outcome (at most 60 points)
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "from": "2026-12-05T06:00:00.000Z",
                         *       "to": "2026-12-05T06:02:00.000Z",
                         *       "bucket_seconds": 2,
                         *       "points": [
                         *         {
                         *           "at": "2026-12-05T06:00:00.000Z",
                         *           "found": 3,
                         *           "to_review": 1,
                         *           "not_found": 0,
                         *           "error": 0
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            /** @description Whole seconds; whole minutes once a started job has run over an hour. */
                            bucket_seconds: number;
                            /** @description Start of the first bucket: the job’s start (or creation), to the whole second below. */
                            from: string;
                            /** @description Results resolved per bucket, by outcome, as last written (a later review decision counts at its own time, in the last bucket at most). */
                            points: {
                                /** @description Start of the bucket. */
                                at: string;
                                error: number;
                                found: number;
                                not_found: number;
                                to_review: number;
                            }[];
                            /** @description End of the last bucket: the job’s end, or now. */
                            to: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/results": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job's results: filter by status, match type, confidence, marketplace; search code or ASIN
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description Results after this result id, in id order: pass the previous page's `next_after` to walk a large job (each page costs the same; `page` is then not used). */
                    after?: number;
                    /** @description Domain or country code (www.amazon.fr, fr). */
                    marketplace?: string;
                    match_type?: "exact" | "partial" | "fuzzy" | "manual" | "none";
                    max_confidence?: number;
                    min_confidence?: number;
                    page?: number;
                    per_page?: number;
                    /** @description Only what needs a person: not yet decided by a person, and fuzzy or partial, confidence below 0.7, not found with candidates, or to review. */
                    review?: boolean;
                    /** @description Part of the code, GTIN or ASIN. */
                    search?: string;
                    /** @description `pending` includes the codes a worker is querying; `to_review` lists the proposals waiting for a person. */
                    status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": 42,
                         *           "job_id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *           "marketplace": "www.amazon.fr",
                         *           "code": "3017620422003",
                         *           "gtin": "03017620422003",
                         *           "code_type": "EAN-13",
                         *           "context": {
                         *             "title": "Nutella pâte à tartiner 400g",
                         *             "brand": "Ferrero",
                         *             "quantity": 1
                         *           },
                         *           "status": "found",
                         *           "source": "api",
                         *           "asin": "B0DEMO0001",
                         *           "proposed_asin": null,
                         *           "match_type": "exact",
                         *           "confidence": 0.97,
                         *           "reasons": [
                         *             "ean_listed",
                         *             "single_hit"
                         *           ],
                         *           "candidates": [
                         *             {
                         *               "asin": "B0DEMO0001",
                         *               "title": "Nutella 400 g",
                         *               "match_type": "exact",
                         *               "confidence": 0.97,
                         *               "rejected": false,
                         *               "rank": 1
                         *             }
                         *           ],
                         *           "product": {
                         *             "asin": "B0DEMO0001",
                         *             "title": "Nutella 400 g",
                         *             "brand": "Ferrero"
                         *           },
                         *           "previous_asin": null,
                         *           "attempts": 1,
                         *           "error_class": null,
                         *           "error_message": null,
                         *           "updated_at": "2026-01-15T09:31:02.120Z"
                         *         }
                         *       ],
                         *       "total": 1,
                         *       "page": 1,
                         *       "per_page": 50,
                         *       "next_after": null
                         *     }
                         */
                        "application/json": {
                            items?: {
                                /** @description Only a match accepted automatically (above the threshold), by a rule or by a person. */
                                asin?: string | null;
                                attempts?: number;
                                candidates?: ({
                                    asin?: string;
                                    brand?: string | null;
                                    confidence?: number;
                                    /** @description The first image URL the provider gave for this item (older results: absent). Browsers read it through `GET /jobs/{id}/results/{resultId}/images/{asin}`. */
                                    image?: string | null;
                                    match_type?: string;
                                    rank?: number | null;
                                    reasons?: string[];
                                    rejected?: boolean;
                                    title?: string | null;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                code?: string;
                                code_type?: string | null;
                                confidence?: number | null;
                                /** @description The supplier's row as in the file: title, brand, quantity (when the file has them). */
                                context?: {
                                    [key: string]: unknown;
                                } | null;
                                error_class?: string | null;
                                error_message?: string | null;
                                gtin?: string;
                                id?: number;
                                job_id?: string;
                                marketplace?: string;
                                match_type?: string | null;
                                previous_asin?: string | null;
                                product?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description The best candidate when the result waits for a person (`to_review`). */
                                proposed_asin?: string | null;
                                /** @description The provider that answered (`creators`, `spapi`, `keepa`…). */
                                provider?: string | null;
                                /** @description Jobs with `providers` or `enrich_with`: what each provider asked said, in order (`found`, `to_review`, `not_found`, `error`, `unusable`, `enriched`, `no_offer`). */
                                provider_outcomes?: {
                                    asin?: string | null;
                                    error_class?: string;
                                    message?: string;
                                    outcome: string;
                                    provider: string;
                                }[] | null;
                                reasons?: string[];
                                source?: string | null;
                                /**
                                 * @description `to_review`: a person must decide; `asin` is null and `proposed_asin` holds the best candidate.
                                 * @enum {string}
                                 */
                                status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                                updated_at?: string;
                            }[];
                            /** @description Give it as `after` for the next page; null on the last page. */
                            next_after?: number | null;
                            page?: number;
                            per_page?: number;
                            total?: number;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/results/{resultId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Choose the ASIN of a result (a candidate or any ASIN), or no match
         * @description A review decision like `POST /jobs/{id}/decisions`: the result becomes `manual` (confidence 1, reason `manual_choice`) and the job counters follow; the choice is in the job's history (`GET /jobs/{id}/decisions`, with who made it) and `POST /jobs/{id}/decisions/undo` takes it back, rule included (`batch_id` names it). Unless `remember` is false, a matching rule is stored for the job owner: `always` for the chosen ASIN; `never` for the previous (or proposed) ASIN when choosing no match. The cache of Amazon answers is left as it is.
         *
         *     Needs the `write` scope (or `admin`).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                    /** @example 42 */
                    resultId: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The chosen ASIN (a candidate or any valid ASIN), or null for "no match". */
                        asin: string | null;
                        /**
                         * @description Also store the choice as the owner's matching rule (`always` the ASIN, `never` the rejected one), applied to the same code in later jobs. On by default here (off on `POST /jobs/{id}/decisions`).
                         * @default true
                         */
                        remember?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "batch_id": "6f1d2c4e-8a1b-4c5d-9e2f-0a1b2c3d4e5f",
                         *       "result": {
                         *         "id": 42,
                         *         "job_id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *         "marketplace": "www.amazon.fr",
                         *         "code": "3017620422003",
                         *         "gtin": "03017620422003",
                         *         "code_type": "EAN-13",
                         *         "context": {
                         *           "title": "Nutella pâte à tartiner 400g",
                         *           "brand": "Ferrero",
                         *           "quantity": 1
                         *         },
                         *         "status": "found",
                         *         "source": "api",
                         *         "asin": "B0DEMO0002",
                         *         "proposed_asin": null,
                         *         "match_type": "manual",
                         *         "confidence": 1,
                         *         "reasons": [
                         *           "manual_choice"
                         *         ],
                         *         "candidates": [
                         *           {
                         *             "asin": "B0DEMO0001",
                         *             "title": "Nutella 400 g",
                         *             "match_type": "exact",
                         *             "confidence": 0.97,
                         *             "rejected": false,
                         *             "rank": 1
                         *           }
                         *         ],
                         *         "product": {
                         *           "asin": "B0DEMO0001",
                         *           "title": "Nutella 400 g",
                         *           "brand": "Ferrero"
                         *         },
                         *         "previous_asin": null,
                         *         "attempts": 1,
                         *         "error_class": null,
                         *         "error_message": null,
                         *         "updated_at": "2026-01-15T09:31:02.120Z"
                         *       },
                         *       "rules": [
                         *         {
                         *           "id": 7,
                         *           "gtin": "03017620422003",
                         *           "asin": "B0DEMO0002",
                         *           "rule": "always",
                         *           "marketplace": "www.amazon.fr"
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            /** @description The decision in the job history: `POST /jobs/{id}/decisions/undo` takes it back */
                            batch_id?: string;
                            /**
                             * @example {
                             *       "id": 42,
                             *       "job_id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                             *       "marketplace": "www.amazon.fr",
                             *       "code": "3017620422003",
                             *       "gtin": "03017620422003",
                             *       "code_type": "EAN-13",
                             *       "context": {
                             *         "title": "Nutella pâte à tartiner 400g",
                             *         "brand": "Ferrero",
                             *         "quantity": 1
                             *       },
                             *       "status": "found",
                             *       "source": "api",
                             *       "asin": "B0DEMO0001",
                             *       "proposed_asin": null,
                             *       "match_type": "exact",
                             *       "confidence": 0.97,
                             *       "reasons": [
                             *         "ean_listed",
                             *         "single_hit"
                             *       ],
                             *       "candidates": [
                             *         {
                             *           "asin": "B0DEMO0001",
                             *           "title": "Nutella 400 g",
                             *           "match_type": "exact",
                             *           "confidence": 0.97,
                             *           "rejected": false,
                             *           "rank": 1
                             *         }
                             *       ],
                             *       "product": {
                             *         "asin": "B0DEMO0001",
                             *         "title": "Nutella 400 g",
                             *         "brand": "Ferrero"
                             *       },
                             *       "previous_asin": null,
                             *       "attempts": 1,
                             *       "error_class": null,
                             *       "error_message": null,
                             *       "updated_at": "2026-01-15T09:31:02.120Z"
                             *     }
                             */
                            result?: {
                                /** @description Only a match accepted automatically (above the threshold), by a rule or by a person. */
                                asin?: string | null;
                                attempts?: number;
                                candidates?: ({
                                    asin?: string;
                                    brand?: string | null;
                                    confidence?: number;
                                    /** @description The first image URL the provider gave for this item (older results: absent). Browsers read it through `GET /jobs/{id}/results/{resultId}/images/{asin}`. */
                                    image?: string | null;
                                    match_type?: string;
                                    rank?: number | null;
                                    reasons?: string[];
                                    rejected?: boolean;
                                    title?: string | null;
                                } & {
                                    [key: string]: unknown;
                                })[];
                                code?: string;
                                code_type?: string | null;
                                confidence?: number | null;
                                /** @description The supplier's row as in the file: title, brand, quantity (when the file has them). */
                                context?: {
                                    [key: string]: unknown;
                                } | null;
                                error_class?: string | null;
                                error_message?: string | null;
                                gtin?: string;
                                id?: number;
                                job_id?: string;
                                marketplace?: string;
                                match_type?: string | null;
                                previous_asin?: string | null;
                                product?: {
                                    [key: string]: unknown;
                                } | null;
                                /** @description The best candidate when the result waits for a person (`to_review`). */
                                proposed_asin?: string | null;
                                /** @description The provider that answered (`creators`, `spapi`, `keepa`…). */
                                provider?: string | null;
                                /** @description Jobs with `providers` or `enrich_with`: what each provider asked said, in order (`found`, `to_review`, `not_found`, `error`, `unusable`, `enriched`, `no_offer`). */
                                provider_outcomes?: {
                                    asin?: string | null;
                                    error_class?: string;
                                    message?: string;
                                    outcome: string;
                                    provider: string;
                                }[] | null;
                                reasons?: string[];
                                source?: string | null;
                                /**
                                 * @description `to_review`: a person must decide; `asin` is null and `proposed_asin` holds the best candidate.
                                 * @enum {string}
                                 */
                                status?: "pending" | "claimed" | "found" | "to_review" | "not_found" | "error";
                                updated_at?: string;
                            };
                            /** @description The matching rules stored for the job owner by this choice. */
                            rules?: {
                                asin?: string;
                                gtin?: string;
                                id?: number;
                                marketplace?: string;
                                /** @enum {string} */
                                rule?: "always" | "never";
                            }[];
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The result changed meanwhile; send again */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/results/{resultId}/images/{asin}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A candidate's product image, fetched by the server (review thumbnails)
         * @description The first image the provider listed for this ASIN among the result's candidates, fetched through the outbound guard from the provider's image hosts only (at most 2 MB, 10 s), kept in a memory cache. Answers the image bytes (JPEG, PNG, GIF, WebP or AVIF).
         *
         *     Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example B0DEMO0001 */
                    asin: string;
                    id: string;
                    /** @example 42 */
                    resultId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The image bytes, with their type (image/jpeg, png, gif, webp or avif). */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The image URL is not on an allowed image host */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job or result (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The image host failed or answered no image */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused job
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "owner": "alice",
                         *       "name": "Mapping Janvier 2026",
                         *       "supplier_code": "SUP-042",
                         *       "status": "processing",
                         *       "marketplaces": [
                         *         "www.amazon.fr"
                         *       ],
                         *       "options": {
                         *         "name": "Mapping Janvier 2026",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "use_amazon_api": true
                         *       },
                         *       "source_file_name": "codes_ean.csv",
                         *       "source_format": "csv",
                         *       "preflight": {
                         *         "rows": 1200,
                         *         "valid": 1180,
                         *         "invalid": 20,
                         *         "to_query": 1000,
                         *         "eta_seconds": 1000
                         *       },
                         *       "counters": {
                         *         "total_rows": 1200,
                         *         "valid_rows": 1180,
                         *         "invalid_rows": 20,
                         *         "duplicate_rows": 30,
                         *         "cached": 150,
                         *         "to_query": 1000,
                         *         "done": 650,
                         *         "found": 560,
                         *         "to_review": 30,
                         *         "not_found": 55,
                         *         "errors": 5
                         *       },
                         *       "retry_count": 0,
                         *       "next_retry_at": null,
                         *       "error_message": null,
                         *       "created_at": "2026-01-15T09:30:00.000Z",
                         *       "updated_at": "2026-01-15T09:30:00.000Z",
                         *       "started_at": "2026-01-15T09:30:00.000Z",
                         *       "completed_at": null,
                         *       "allowed_actions": [
                         *         "pause",
                         *         "cancel"
                         *       ],
                         *       "progress": {
                         *         "percent": 56.5,
                         *         "done": 650,
                         *         "total": 1150,
                         *         "rate_per_second": 1,
                         *         "eta_seconds": 500
                         *       }
                         *     }
                         */
                        "application/json": {
                            allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                            completed_at?: string | null;
                            counters?: {
                                cached?: number;
                                done?: number;
                                duplicate_rows?: number;
                                errors?: number;
                                found?: number;
                                invalid_rows?: number;
                                not_found?: number;
                                to_query?: number;
                                to_review?: number;
                                total_rows?: number;
                                valid_rows?: number;
                            };
                            created_at?: string;
                            error_message?: string | null;
                            id?: string;
                            marketplaces?: string[];
                            name?: string;
                            next_retry_at?: string | null;
                            options?: {
                                [key: string]: unknown;
                            };
                            owner?: string;
                            /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                            preflight?: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                            progress?: {
                                done?: number;
                                eta_seconds?: number | null;
                                percent?: number;
                                rate_per_second?: number | null;
                                total?: number;
                            };
                            /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                            provider?: {
                                name?: string;
                                source?: string;
                            } | null;
                            retry_count?: number;
                            source_file_name?: string | null;
                            source_format?: string | null;
                            started_at?: string | null;
                            /** @enum {string} */
                            status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                            supplier_code?: string | null;
                            updated_at?: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not allowed in the job status; details.allowed lists what is */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry the codes that ended in error, of a failed or cancelled job
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: {
                    /** @description Start counting retries again (after the maximum of 5). */
                    reset_retry_counter?: boolean;
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "owner": "alice",
                         *       "name": "Mapping Janvier 2026",
                         *       "supplier_code": "SUP-042",
                         *       "status": "processing",
                         *       "marketplaces": [
                         *         "www.amazon.fr"
                         *       ],
                         *       "options": {
                         *         "name": "Mapping Janvier 2026",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "use_amazon_api": true
                         *       },
                         *       "source_file_name": "codes_ean.csv",
                         *       "source_format": "csv",
                         *       "preflight": {
                         *         "rows": 1200,
                         *         "valid": 1180,
                         *         "invalid": 20,
                         *         "to_query": 1000,
                         *         "eta_seconds": 1000
                         *       },
                         *       "counters": {
                         *         "total_rows": 1200,
                         *         "valid_rows": 1180,
                         *         "invalid_rows": 20,
                         *         "duplicate_rows": 30,
                         *         "cached": 150,
                         *         "to_query": 1000,
                         *         "done": 650,
                         *         "found": 560,
                         *         "to_review": 30,
                         *         "not_found": 55,
                         *         "errors": 5
                         *       },
                         *       "retry_count": 0,
                         *       "next_retry_at": null,
                         *       "error_message": null,
                         *       "created_at": "2026-01-15T09:30:00.000Z",
                         *       "updated_at": "2026-01-15T09:30:00.000Z",
                         *       "started_at": "2026-01-15T09:30:00.000Z",
                         *       "completed_at": null,
                         *       "allowed_actions": [
                         *         "pause",
                         *         "cancel"
                         *       ],
                         *       "progress": {
                         *         "percent": 56.5,
                         *         "done": 650,
                         *         "total": 1150,
                         *         "rate_per_second": 1,
                         *         "eta_seconds": 500
                         *       }
                         *     }
                         */
                        "application/json": {
                            allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                            completed_at?: string | null;
                            counters?: {
                                cached?: number;
                                done?: number;
                                duplicate_rows?: number;
                                errors?: number;
                                found?: number;
                                invalid_rows?: number;
                                not_found?: number;
                                to_query?: number;
                                to_review?: number;
                                total_rows?: number;
                                valid_rows?: number;
                            };
                            created_at?: string;
                            error_message?: string | null;
                            id?: string;
                            marketplaces?: string[];
                            name?: string;
                            next_retry_at?: string | null;
                            options?: {
                                [key: string]: unknown;
                            };
                            owner?: string;
                            /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                            preflight?: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                            progress?: {
                                done?: number;
                                eta_seconds?: number | null;
                                percent?: number;
                                rate_per_second?: number | null;
                                total?: number;
                            };
                            /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                            provider?: {
                                name?: string;
                                source?: string;
                            } | null;
                            retry_count?: number;
                            source_file_name?: string | null;
                            source_format?: string | null;
                            started_at?: string | null;
                            /** @enum {string} */
                            status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                            supplier_code?: string | null;
                            updated_at?: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not allowed in the job status; details.allowed lists what is */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/rows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A job's input rows with each code's normalised form, type, validity and reason
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    /** @description Rows after this row number (keyset paging: the last `row` of a page). */
                    after?: number;
                    limit?: number;
                    /** @description Only valid (true) or only invalid (false) codes. */
                    valid?: boolean;
                };
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "row": 2,
                         *           "raw_code": "3017620422003",
                         *           "code": "3017620422003",
                         *           "gtin": "03017620422003",
                         *           "code_type": "EAN-13",
                         *           "valid": true,
                         *           "reason": null,
                         *           "flags": [],
                         *           "cells": [
                         *             "3017620422003",
                         *             "Nutella 400 g"
                         *           ]
                         *         }
                         *       ],
                         *       "next_after": null
                         *     }
                         */
                        "application/json": {
                            items?: {
                                cells?: (string | null)[];
                                /** @description Normalised display form. */
                                code?: string | null;
                                code_type?: string | null;
                                /** @description What was repaired or noted: repaired_leading_zeros, cleaned, case_pack… */
                                flags?: string[];
                                /** @description GTIN-14 form. */
                                gtin?: string | null;
                                /** @description The code cell as read. */
                                raw_code?: string | null;
                                /** @description Why an invalid code was refused (bad_check_digit, scientific_notation…). */
                                reason?: string | null;
                                /** @description Line of the row in the file (the header, when there is one, is line 1). */
                                row?: number;
                                valid?: boolean;
                            }[];
                            /** @description Pass as `after` for the next page. */
                            next_after?: number | null;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/jobs/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a pending job (jobs start on creation unless auto_start is false)
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69 */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f3c2e-8d4a-4a5e-9a57-1f2d3c4b5a69",
                         *       "owner": "alice",
                         *       "name": "Mapping Janvier 2026",
                         *       "supplier_code": "SUP-042",
                         *       "status": "processing",
                         *       "marketplaces": [
                         *         "www.amazon.fr"
                         *       ],
                         *       "options": {
                         *         "name": "Mapping Janvier 2026",
                         *         "marketplaces": [
                         *           "www.amazon.fr"
                         *         ],
                         *         "use_amazon_api": true
                         *       },
                         *       "source_file_name": "codes_ean.csv",
                         *       "source_format": "csv",
                         *       "preflight": {
                         *         "rows": 1200,
                         *         "valid": 1180,
                         *         "invalid": 20,
                         *         "to_query": 1000,
                         *         "eta_seconds": 1000
                         *       },
                         *       "counters": {
                         *         "total_rows": 1200,
                         *         "valid_rows": 1180,
                         *         "invalid_rows": 20,
                         *         "duplicate_rows": 30,
                         *         "cached": 150,
                         *         "to_query": 1000,
                         *         "done": 650,
                         *         "found": 560,
                         *         "to_review": 30,
                         *         "not_found": 55,
                         *         "errors": 5
                         *       },
                         *       "retry_count": 0,
                         *       "next_retry_at": null,
                         *       "error_message": null,
                         *       "created_at": "2026-01-15T09:30:00.000Z",
                         *       "updated_at": "2026-01-15T09:30:00.000Z",
                         *       "started_at": "2026-01-15T09:30:00.000Z",
                         *       "completed_at": null,
                         *       "allowed_actions": [
                         *         "pause",
                         *         "cancel"
                         *       ],
                         *       "progress": {
                         *         "percent": 56.5,
                         *         "done": 650,
                         *         "total": 1150,
                         *         "rate_per_second": 1,
                         *         "eta_seconds": 500
                         *       }
                         *     }
                         */
                        "application/json": {
                            allowed_actions?: ("start" | "pause" | "resume" | "cancel" | "retry" | "delete")[];
                            completed_at?: string | null;
                            counters?: {
                                cached?: number;
                                done?: number;
                                duplicate_rows?: number;
                                errors?: number;
                                found?: number;
                                invalid_rows?: number;
                                not_found?: number;
                                to_query?: number;
                                to_review?: number;
                                total_rows?: number;
                                valid_rows?: number;
                            };
                            created_at?: string;
                            error_message?: string | null;
                            id?: string;
                            marketplaces?: string[];
                            name?: string;
                            next_retry_at?: string | null;
                            options?: {
                                [key: string]: unknown;
                            };
                            owner?: string;
                            /** @description The pre-flight report: rows, valid, invalid, duplicates, known, to query, ETA. */
                            preflight?: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Units (code × marketplace) resolved; rate and ETA over the last minute of work (null when idle). */
                            progress?: {
                                done?: number;
                                eta_seconds?: number | null;
                                percent?: number;
                                rate_per_second?: number | null;
                                total?: number;
                            };
                            /** @description The Amazon provider the job runs on and what it points at (`amazon`, or `emulator` in the demo); null for a direct import. */
                            provider?: {
                                name?: string;
                                source?: string;
                            } | null;
                            retry_count?: number;
                            source_file_name?: string | null;
                            source_format?: string | null;
                            started_at?: string | null;
                            /** @enum {string} */
                            status?: "pending" | "waiting_for_amazon" | "processing" | "paused" | "completed" | "failed" | "cancelled";
                            supplier_code?: string | null;
                            updated_at?: string;
                        };
                    };
                };
                /** @description A parameter is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such job (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Not allowed in the job status; details.allowed lists what is */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your matching rules, newest first; search by code or ASIN
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    asin?: string;
                    /** @description A barcode (any form of it). */
                    code?: string;
                    page?: number;
                    per_page?: number;
                    rule?: "always" | "never";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items?: {
                                asin?: string;
                                created_at?: string;
                                gtin?: string;
                                id?: number;
                                /** @description A domain, or `*` for every marketplace. */
                                marketplace?: string;
                                note?: string | null;
                                /** @enum {string} */
                                rule?: "always" | "never";
                            }[];
                            page?: number;
                            per_page?: number;
                        };
                    };
                };
                /** @description A field is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Add a rule (the same code, ASIN and marketplace replaces the older one)
         * @description Needs the `write` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "code": "3017620422003",
                     *       "asin": "B0DEMO0002",
                     *       "rule": "always",
                     *       "marketplace": "fr"
                     *     }
                     */
                    "application/json": {
                        asin: string;
                        code: string;
                        /** @default * */
                        marketplace?: string;
                        note?: string | null;
                        /** @enum {string} */
                        rule: "always" | "never";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": 7,
                         *       "gtin": "03017620422003",
                         *       "asin": "B0DEMO0002",
                         *       "rule": "always",
                         *       "marketplace": "www.amazon.fr",
                         *       "note": "review decision",
                         *       "created_at": "2026-01-15T09:31:02.120Z"
                         *     }
                         */
                        "application/json": {
                            asin?: string;
                            created_at?: string;
                            gtin?: string;
                            id?: number;
                            /** @description A domain, or `*` for every marketplace. */
                            marketplace?: string;
                            note?: string | null;
                            /** @enum {string} */
                            rule?: "always" | "never";
                        };
                    };
                };
                /** @description A field is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/rules/{ruleId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a rule
         * @description Needs the `delete` scope (or `admin`).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 7 */
                    ruleId: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "delete" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such rule (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Edit a rule: always ↔ never, or its note
         * @description Needs the `write` scope (or `admin`).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 7 */
                    ruleId: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        note?: string | null;
                        /** @enum {string} */
                        rule?: "always" | "never";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": 7,
                         *       "gtin": "03017620422003",
                         *       "asin": "B0DEMO0002",
                         *       "rule": "always",
                         *       "marketplace": "www.amazon.fr",
                         *       "note": "review decision",
                         *       "created_at": "2026-01-15T09:31:02.120Z"
                         *     }
                         */
                        "application/json": {
                            asin?: string;
                            created_at?: string;
                            gtin?: string;
                            id?: number;
                            /** @description A domain, or `*` for every marketplace. */
                            marketplace?: string;
                            note?: string | null;
                            /** @enum {string} */
                            rule?: "always" | "never";
                        };
                    };
                };
                /** @description A field is invalid */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "write" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description No such rule (or not yours) */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/code2asin/statistics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Your jobs by status, codes, found, to review, not found, errors, average confidence (all owners for admin)
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "owner": "alice",
                         *       "jobs": {
                         *         "total": 3,
                         *         "by_status": {
                         *           "pending": 0,
                         *           "processing": 1,
                         *           "paused": 0,
                         *           "completed": 2,
                         *           "failed": 0,
                         *           "cancelled": 0
                         *         }
                         *       },
                         *       "codes": {
                         *         "total": 3500,
                         *         "valid": 3420,
                         *         "invalid": 80,
                         *         "found": 3000,
                         *         "to_review": 100,
                         *         "not_found": 280,
                         *         "errors": 4
                         *       },
                         *       "average_confidence": 0.912
                         *     }
                         */
                        "application/json": {
                            /** @description Over the results with an ASIN. */
                            average_confidence?: number | null;
                            /** @description Rows over all jobs, and their units (code × marketplace) by outcome. */
                            codes?: {
                                errors?: number;
                                found?: number;
                                invalid?: number;
                                not_found?: number;
                                to_review?: number;
                                total?: number;
                                valid?: number;
                            };
                            jobs?: {
                                by_status?: {
                                    cancelled?: number;
                                    completed?: number;
                                    failed?: number;
                                    paused?: number;
                                    pending?: number;
                                    processing?: number;
                                    waiting_for_amazon?: number;
                                };
                                total?: number;
                            };
                            /** @description Null: every owner (admin token). */
                            owner?: string | null;
                        };
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/code2asin/stats/errors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Lookup errors by class and by day over the last N days
         * @description Needs the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: {
                    days?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "days": 7,
                         *       "total": 3,
                         *       "by_class": {
                         *         "network": 2,
                         *         "auth": 1
                         *       },
                         *       "by_day": [
                         *         {
                         *           "day": "2026-01-15",
                         *           "error_class": "network",
                         *           "count": 2
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            by_class?: {
                                [key: string]: number;
                            };
                            by_day?: {
                                count?: number;
                                day?: string;
                                error_class?: string;
                            }[];
                            days?: number;
                            total?: number;
                        };
                    };
                };
                /** @description days out of 1–365 */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Missing, unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description The token lacks the "read" scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who is signed in (the session cookie): `signed_in` false when nobody
         * @description Answers 200 either way: the UI asks it on every start, and a browser logs every 401 as an error.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Absolute end of the session (ISO-8601). */
                            expires_at: string;
                            idle_timeout_seconds: number;
                            owner: string;
                            scopes: ("read" | "write" | "delete" | "admin")[];
                            /** @enum {boolean} */
                            signed_in: true;
                            token_name: string;
                            /** @description Largest job file `POST /jobs` accepts (CODE2ASIN_UPLOAD_LIMIT_MB). */
                            upload_limit_bytes?: number;
                        } | {
                            /** @enum {boolean} */
                            signed_in: false;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Sign in the web UI: exchange an API token for a session cookie */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "signed_in": true,
                         *       "owner": "admin",
                         *       "token_name": "admin",
                         *       "scopes": [
                         *         "admin"
                         *       ],
                         *       "expires_at": "2026-01-15T21:30:00.000Z",
                         *       "idle_timeout_seconds": 7200,
                         *       "upload_limit_bytes": 104857600
                         *     }
                         */
                        "application/json": {
                            /** @description Absolute end of the session (ISO-8601). */
                            expires_at: string;
                            idle_timeout_seconds: number;
                            owner: string;
                            scopes: ("read" | "write" | "delete" | "admin")[];
                            /** @enum {boolean} */
                            signed_in: true;
                            token_name: string;
                            /** @description Largest job file `POST /jobs` accepts (CODE2ASIN_UPLOAD_LIMIT_MB). */
                            upload_limit_bytes?: number;
                        };
                    };
                };
                /** @description No live session, or an unknown or revoked token */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Sent from another site */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "error": {
                         *         "code": "cross_site_request",
                         *         "message": "Sign-in and sign-out must come from the code2asin UI itself (Origin / Sec-Fetch-Site).",
                         *         "details": {}
                         *       }
                         *     }
                         */
                        "application/json": {
                            error?: {
                                code?: string;
                                details?: {
                                    [key: string]: unknown;
                                };
                                message?: string;
                            };
                        };
                    };
                };
                /** @description Every error answer has this shape. */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        /** Sign out: end the session and clear its cookie */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Signed out */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Sent from another site */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "error": {
                         *         "code": "cross_site_request",
                         *         "message": "Sign-in and sign-out must come from the code2asin UI itself (Origin / Sec-Fetch-Site).",
                         *         "details": {}
                         *       }
                         *     }
                         */
                        "application/json": {
                            error?: {
                                code?: string;
                                details?: {
                                    [key: string]: unknown;
                                };
                                message?: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Active API tokens, newest first (admin)
         * @description Needs the `admin` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "items": [
                         *         {
                         *           "id": "0b6f7c1e-3a52-4d7e-9a0c-2f1e8d4c6b5a",
                         *           "name": "catalogue team",
                         *           "owner": "catalogue",
                         *           "scopes": [
                         *             "read",
                         *             "write"
                         *           ],
                         *           "prefix": "c2a_Xb3k9Q",
                         *           "created_at": "2026-12-05T06:00:00.000Z",
                         *           "last_used_at": null
                         *         }
                         *       ]
                         *     }
                         */
                        "application/json": {
                            items: {
                                created_at: string;
                                id: string;
                                /** @description Last authenticated request (to the minute); null when never used. */
                                last_used_at: string | null;
                                name: string;
                                /** @description Whose jobs and rules the token acts on. */
                                owner: string;
                                /** @description The first characters, to recognise the token. */
                                prefix: string;
                                scopes: ("read" | "write" | "delete" | "admin")[];
                            }[];
                        };
                    };
                };
                /** @description Every error answer has this shape. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create an API token; its value is answered once, never again (admin)
         * @description Needs the `admin` scope (or `admin`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    /**
                     * @example {
                     *       "name": "catalogue team",
                     *       "scopes": [
                     *         "read",
                     *         "write"
                     *       ],
                     *       "owner": "catalogue"
                     *     }
                     */
                    "application/json": {
                        name: string;
                        /** @description Whose jobs the token acts on; default: the caller’s owner. */
                        owner?: string;
                        /** @description `admin` implies every scope and every owner. */
                        scopes: ("read" | "write" | "delete" | "admin")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "id": "0b6f7c1e-3a52-4d7e-9a0c-2f1e8d4c6b5a",
                         *       "name": "catalogue team",
                         *       "owner": "catalogue",
                         *       "scopes": [
                         *         "read",
                         *         "write"
                         *       ],
                         *       "prefix": "c2a_Xb3k9Q",
                         *       "created_at": "2026-12-05T06:00:00.000Z",
                         *       "last_used_at": null,
                         *       "token": "c2a_Xb3k9Q…"
                         *     }
                         */
                        "application/json": {
                            created_at: string;
                            id: string;
                            /** @description Last authenticated request (to the minute); null when never used. */
                            last_used_at: string | null;
                            name: string;
                            /** @description Whose jobs and rules the token acts on. */
                            owner: string;
                            /** @description The first characters, to recognise the token. */
                            prefix: string;
                            scopes: ("read" | "write" | "delete" | "admin")[];
                            /** @description The token itself: shown this once. */
                            token: string;
                        };
                    };
                };
                /** @description Every error answer has this shape. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API token: refused from now on, its web sessions ended (admin)
         * @description Needs the `admin` scope (or `admin`).
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @example 0b6f7c1e-3a52-4d7e-9a0c-2f1e8d4c6b5a */
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Every error answer has this shape. */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Every error answer has this shape. */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
                /** @description Throttled; see Retry-After */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness, database reachability and free disk space (no token needed)
         * @description Answers without a token. The live workers are counted for everyone (`worker_count`); their detail (`workers`: ids, host names, pids) only with a Bearer token of the `read` scope (or `admin`).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description ok (200) or degraded (503) with `reason`: `database_unavailable` (the database does not answer), `disk_full` (it cannot be written), `low_disk` (a volume under CODE2ASIN_MIN_FREE_DISK_MB: workers stop claiming) */
                "2XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        /**
                         * @example {
                         *       "status": "ok",
                         *       "db": "sqlite",
                         *       "version": "0.1.0",
                         *       "disk": [
                         *         {
                         *           "volume": "database",
                         *           "path": "/srv/data",
                         *           "free_mb": 5120,
                         *           "total_mb": 20480,
                         *           "low": false
                         *         }
                         *       ],
                         *       "storage": {
                         *         "size_mb": 84.5,
                         *         "volume_measured": true
                         *       },
                         *       "worker_count": 1,
                         *       "amazon": {
                         *         "provider": "creators",
                         *         "source": "emulator",
                         *         "ready": true,
                         *         "missing": []
                         *       }
                         *     }
                         */
                        "application/json": {
                            /** @description The Amazon provider, what it points at (`amazon`, or `emulator` in the demo), and whether its settings are complete (`missing` names the variables otherwise). No request is sent. */
                            amazon?: {
                                missing?: string[];
                                /** @enum {string} */
                                provider?: "creators" | "paapi" | "spapi" | "keepa";
                                ready?: boolean;
                                /** @enum {string} */
                                source?: "amazon" | "emulator";
                            };
                            /** @enum {string} */
                            db?: "sqlite" | "postgres";
                            /** @description Free space of the volumes this process writes to: the SQLite database's folder and the images' folder. PostgreSQL's volume is not listed (see `storage.note`). */
                            disk?: {
                                free_mb?: number;
                                /** @description under CODE2ASIN_MIN_FREE_DISK_MB */
                                low?: boolean;
                                path?: string;
                                total_mb?: number;
                                /** @enum {string} */
                                volume?: "database" | "images";
                            }[];
                            /** @description What is wrong and what to do */
                            message?: string;
                            /** @enum {string} */
                            reason?: "database_unavailable" | "disk_full" | "low_disk";
                            /** @description When the database fault began */
                            since?: string;
                            /** @enum {string} */
                            status?: "ok" | "degraded";
                            /** @description The space the database takes (left out while it does not answer) */
                            storage?: {
                                /** @description What is not watched, and what to do */
                                note?: string;
                                /** @description SQLite: the file's pages; PostgreSQL: pg_database_size */
                                size_mb?: number;
                                /** @description Whether the free space of its volume is in `disk` */
                                volume_measured?: boolean;
                            };
                            version?: string;
                            /** @description Live worker processes on this database */
                            worker_count?: number;
                            /** @description Live worker processes on this database (`code2asin workers`); only with a Bearer token of the `read` scope */
                            workers?: {
                                /** @description units it holds (queued or in flight) */
                                claimed_units?: number;
                                heartbeat_ago_ms?: number;
                                /** @description host:pid:random, as the worker logs it */
                                id?: string;
                                /** @description lookups it may have in flight now */
                                lanes?: number;
                                pid?: number;
                                /** @description Per credential (`provider:sha256`, no secret): its share of the rate now (rate shares) */
                                shares?: {
                                    credential?: string;
                                    members?: number;
                                    share?: number;
                                }[];
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description Every error answer has this shape.
         * @example {
         *       "error": {
         *         "code": "validation_failed",
         *         "message": "Invalid request: querystring \"code\" is required. See /api/docs for the expected shape.",
         *         "details": {
         *           "issues": [
         *             {
         *               "location": "querystring",
         *               "field": "code",
         *               "problem": "is required"
         *             }
         *           ]
         *         }
         *       }
         *     }
         */
        ErrorResponse: {
            error: {
                /** @description Stable, machine-readable: branch on this. */
                code: string;
                details: {
                    [key: string]: unknown;
                };
                /** @description What went wrong and what to do next. */
                message: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
