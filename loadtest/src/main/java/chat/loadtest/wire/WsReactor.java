package chat.loadtest.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generator's I/O: a few selector threads, each owning the sockets handed to it, reading, cutting
 * frames and calling the listeners inline. A received item therefore costs one wake-up and no hand-over
 * between threads, so what the generator adds to the latency it measures is its own parsing, not a queue.
 * Writes go out on the caller's thread while the socket takes them; only the rest waits for the selector.
 * One timer thread serves the connections' handshake and linger deadlines.
 */
public final class WsReactor implements AutoCloseable {

  /** One per thread: a socket's bytes are read into it and parsed there, leftovers copied out. */
  private static final int READ_BUFFER = 256 * 1024;
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final List<Loop> loops = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final ScheduledThreadPoolExecutor timer;

  public WsReactor(int threads, String name) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, name + "-timer"));
    timer.setRemoveOnCancelPolicy(true); // a handshake done cancels its deadline, which then holds nothing
    for (int i = 1; i <= threads; i++) {
      Loop loop = new Loop(name + "-" + i);
      loops.add(loop);
      loop.thread.start();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The loop a new connection lives on, round robin. */
  Loop assign() {
    return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
  }

  /** Runs {@code task} on the timer thread after {@code delay}; after {@link #close} never. */
  Future<?> schedule(Duration delay, Runnable task) {
    try {
      return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopped) {
      return CompletableFuture.completedFuture(null);
    }
  }

  /**
   * Stops every loop: what was handed to them runs, then each connection still there ends with an error
   * (a connect not yet done fails its future). Waits for the threads, at most a few seconds.
   */
  @Override
  public void close() {
    loops.forEach(Loop::stop);
    timer.shutdownNow();
    for (Loop loop : loops) {
      try {
        loop.thread.join(STOP_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One selector thread and the work handed to it. */
  static final class Loop implements Runnable {
    final Thread thread;
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private volatile boolean running = true;
    // guarded by this: once set, nothing more is queued
    private boolean stopped;

    Loop(String name) {
      try {
        this.selector = Selector.open();
      } catch (IOException e) {
        throw new UncheckedIOException("could not open a selector", e);
      }
      this.thread = daemon(this, name);
    }

    Selector selector() {
      return selector;
    }

    ByteBuffer readBuffer() {
      return readBuffer;
    }

    /** Runs {@code task} on this loop's thread, soon; false (and never) once the loop has stopped. */
    boolean execute(Runnable task) {
      synchronized (this) {
        if (stopped) {
          return false;
        }
        tasks.add(task);
      }
      if (Thread.currentThread() != thread) {
        selector.wakeup();
      }
      return true;
    }

    @Override
    public void run() {
      try {
        while (running) {
          try {
            selector.select(this::ready);
          } catch (IOException e) {
            System.err.println(thread.getName() + ": select failed: " + e);
          }
          runTasks();
        }
      } catch (ClosedSelectorException e) {
        System.err.println(thread.getName() + ": its selector was closed");
      } finally {
        synchronized (this) {
          stopped = true;
        }
        runTasks(); // what was queued before the stop: connects start here and end just below
        if (selector.isOpen()) {
          for (SelectionKey key : selector.keys()) {
            ((WsConnection) key.attachment()).stopped();
          }
          try {
            selector.close();
          } catch (IOException ignored) {
            // closing on the way out
          }
        }
      }
    }

    private void runTasks() {
      for (Runnable task; (task = tasks.poll()) != null; ) {
        try {
          task.run();
        } catch (RuntimeException e) {
          System.err.println(thread.getName() + ": " + e);
        }
      }
    }

    private void ready(SelectionKey key) {
      ((WsConnection) key.attachment()).ready(key);
    }

    void stop() {
      running = false;
      selector.wakeup();
    }
  }
}
