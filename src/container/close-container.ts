import type { Container } from 'inversify';

/**
 * Closes everything the container built (the modules' `onDeactivation` handlers): S3 and KMS
 * clients destroyed, the Vault HTTP agent closed, cached bucket keys and the upload-token root
 * zeroed, resolved key ids forgotten. Only services that were built are closed. The container is
 * empty afterwards. Asynchronous: the Vault agent closes asynchronously, which inversify's
 * synchronous `unbindAll()` refuses.
 */
export async function closeContainer(container: Container): Promise<void> {
  await container.unbindAllAsync();
}
