package p2ptest.gadget;

import com.hazelcast.map.EntryProcessor;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands for a deserialization gadget: a class outside the project's packages whose readObject runs
 * code on the member that deserializes it. Counts how often that happened.
 */
public final class Gadget implements EntryProcessor<String, Object, String> {
  private static final long serialVersionUID = 1L;
  public static final AtomicInteger READ_OBJECT_CALLS = new AtomicInteger();

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    READ_OBJECT_CALLS.incrementAndGet();
  }

  @Override
  public String process(Map.Entry<String, Object> entry) {
    return "ran";
  }
}
