/// <reference types="vite/client" />
interface ImportMetaEnv {
    readonly VITE_KEEL_RPC?: string;
    readonly VITE_KEEL_WS?: string;
}
