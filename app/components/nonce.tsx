import { createContext, useContext } from "react";

const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

/** The CSP nonce of the current response, for inline scripts. */
export function useNonce(): string {
  return useContext(NonceContext);
}
