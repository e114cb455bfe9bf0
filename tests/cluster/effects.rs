//! Effects under the cell that caused them (issue 19), headless against the cluster: the
//! creation of a pod shows `Scheduled` (and on a real node kubelet's `Pulled`, `Created`,
//! `Started`) under that cell and not under the next; deleting a replication controller's pod
//! shows the deletion and the controller's replacement under the deleting cell, as news of
//! that cell (not "continuing" the controller's earlier work).

use crate::support::{TestNamespace, kubectl_ok, real_node, run_lesson};

/// Three steps: a pod of its own, a cell with no cluster work, a pod under a controller
/// deleted and replaced. Every cluster cell waits for what it caused, so its effects arrive
/// while it is the cell in flight.
const LESSON: &str = r#"---
title: effects
---
# Effects

## A pod

```sh {id=create-pod timeout=180s}
kubectl create -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: fx-solo, labels: {app: fx-solo}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: redis, image: "redis:7", imagePullPolicy: Never, command: [redis-server]}]
EOF
kubectl wait --for=condition=Ready pod/fx-solo --timeout=150s
```

```sh {id=quiet}
echo nothing here touches the cluster
```

## A controller replaces its pod

```sh {id=create-rc timeout=180s}
kubectl create -f - <<'EOF'
apiVersion: v1
kind: ReplicationController
metadata: {name: fx}
spec:
  replicas: 1
  selector: {app: fx}
  template:
    metadata: {labels: {app: fx}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: redis, image: "redis:7", imagePullPolicy: Never, command: [redis-server]}]
EOF
kubectl wait --for=condition=Ready pod -l app=fx --timeout=150s
```

```sh {id=old-pod capture=OLD_POD}
kubectl get pods -l app=fx -o jsonpath='{.items[0].metadata.name}'
```

```sh {id=delete-pod timeout=180s}
kubectl delete pod "$OLD_POD" --wait=false
kubectl wait --for=delete "pod/$OLD_POD" --timeout=150s
for _ in $(seq 300); do
  new=$(kubectl get pods -l app=fx -o jsonpath='{.items[*].metadata.name}' | tr ' ' '\n' | grep -vx "$OLD_POD")
  if [ -n "$new" ]; then kubectl wait --for=condition=Ready "pod/$new" --timeout=150s && exit 0; fi
  sleep 0.5
done
exit 1
```

```sh {id=settle}
echo done
```
"#;

/// The `effects:` line printed for `cell` and, with `--effects`, one line per effect
/// (`   +0.1 s  Killing pod/...`): after its result line, before the next command.
fn effects_of(stdout: &str, cell: &str) -> String {
    let result = format!("[{cell}] ");
    let lines: Vec<&str> = stdout.lines().collect();
    let Some(at) = lines
        .iter()
        .position(|l| l.contains(&result) && (l.contains('✓') || l.contains('✗')))
    else {
        panic!("no result line for {cell}:\n{stdout}");
    };
    lines[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with("$ ") && !l.starts_with("=="))
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("effects: ") || (l.starts_with("  ") && t.starts_with('+'))
        })
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs a cluster: scripts/e2e-cluster or KUBETUTOR_E2E_KUBECONFIG"]
fn effects_are_shown_under_the_cell_that_caused_them() {
    let ns = TestNamespace::reserve("effects");
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().expect("tempdir");
    let lesson = dir.path().join("lesson.md");
    std::fs::write(&lesson, LESSON).expect("write lesson");
    let (passed, stdout, report) = run_lesson(&lesson, n, &["--effects"]);
    assert!(passed, "{report}");
    assert!(stdout.contains("6 passed, 0 failed"), "{report}");

    let created = effects_of(&stdout, "create-pod");
    assert!(created.contains("pod fx-solo added"), "{created}\n{report}");
    let kubelet: &[&str] = if real_node() {
        &["Scheduled", "Pulled", "Created", "Started"]
    } else {
        &["Scheduled"]
    };
    for reason in kubelet {
        assert!(created.contains(reason), "no {reason}: {created}\n{report}");
    }
    assert!(
        created.contains("(+"),
        "no offsets from the cell's start: {created}"
    );
    let quiet = effects_of(&stdout, "quiet");
    assert!(
        !quiet.contains("fx-solo") && !quiet.contains("Scheduled"),
        "the pod's creation shown under the next cell: {quiet}\n{report}"
    );

    let old = stdout
        .lines()
        .skip_while(|l| !l.contains("[old-pod]"))
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("fx-")))
        .map(str::to_string);
    let replacement = kubectl_ok(&[
        "-n",
        n,
        "get",
        "pods",
        "-l",
        "app=fx",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    let deleted = effects_of(&stdout, "delete-pod");
    let deletion = deleted.lines().find(|l| l.contains(" deleted"));
    assert!(
        old.as_ref()
            .is_some_and(|o| deletion.is_some_and(|d| d.contains(o.as_str()))),
        "the deletion of {old:?} not under its cell: {deleted}\n{report}"
    );
    assert!(
        deleted.contains(" added") && deleted.contains(&replacement),
        "the replacement {replacement} not under the deleting cell: {deleted}\n{report}"
    );
    // Everything before this cell had settled (the controller's pod was Ready), so nothing
    // under it is "continuing": the controller's new SuccessfulCreate is this cell's news.
    assert!(
        deleted.contains("SuccessfulCreate") && !deleted.contains("continuing"),
        "the replacement's creation not shown as caused by the deleting cell: {deleted}"
    );
    assert!(
        deleted.contains("Killing") || !real_node(),
        "kubelet's Killing not shown: {deleted}"
    );
    eprintln!("effects of create-pod: {created}\neffects of delete-pod: {deleted}");
}
