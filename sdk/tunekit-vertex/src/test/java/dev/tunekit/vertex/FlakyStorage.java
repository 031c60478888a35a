package dev.tunekit.vertex;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's in-memory Cloud Storage ({@link LocalStorageHelper}) behind a proxy that counts object writes and
 * can lose the reply of the next one after it was stored (a connection reset after the commit).
 */
final class FlakyStorage {
  final Storage real = LocalStorageHelper.customOptions(false).getService();
  final AtomicInteger writes = new AtomicInteger();
  volatile boolean dropNextWriteReply;

  final Storage storage = (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(),
      new Class<?>[] {Storage.class}, (proxy, m, args) -> {
        Object r;
        try {
          r = m.invoke(real, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
        if (m.getName().startsWith("create")) {
          writes.incrementAndGet();
          if (dropNextWriteReply) {
            dropNextWriteReply = false;
            throw new StorageException(new java.net.SocketException("Connection reset"));
          }
        }
        return r;
      });
}
