export { CredentialsCipher, CredentialsDecryptError, CredentialsKeyError, parseCredentialsKey } from './credentials-cipher';
