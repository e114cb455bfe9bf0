use super::*;

#[test]
fn text_export_splits_prose_code_and_outputs() {
    let text = "# T\n\nIntro\n\nIn [None]:\n!echo a\n\nMore prose\n\nIn [3]:\n!echo b\n!echo c\n\nOut[3]:\nb\nc\n\n## S\n\nIn [ ]:\n!ls";
    let cells = from_text_export(text);
    assert_eq!(
        cells,
        [
            NbCell::Markdown("# T\n\nIntro\n\n".into()),
            NbCell::Code("!echo a\n".into()),
            NbCell::Markdown("More prose\n\n".into()),
            NbCell::Code("!echo b\n!echo c\n".into()),
            NbCell::Markdown("## S\n\n".into()),
            NbCell::Code("!ls".into()),
        ]
    );
}

#[test]
fn a_text_export_cell_ends_at_the_next_marker_and_code_never_becomes_a_heading() {
    let text = "In [1]:\nx = 1\n\n# double it\ny = x * 2\n\nprint(y)\n\nOut[1]:\n2\n\n## Next\n\nProse.\n\nIn [2]:\n!cd /tmp\n\n!ls\n";
    let cells = from_text_export(text);
    assert_eq!(
        cells,
        [
            NbCell::Code("x = 1\n\n# double it\ny = x * 2\n\nprint(y)\n".into()),
            NbCell::Markdown("## Next\n\nProse.\n\n".into()),
            NbCell::Code("!cd /tmp\n\n!ls\n".into()),
        ]
    );
}

#[test]
fn bash_kernel_magic_cells_are_not_shell() {
    let nb = r#"{"nbformat":4,"nbformat_minor":5,"metadata":{"kernelspec":{"language":"bash"}},"cells":[
      {"cell_type":"code","source":"%%python\nprint(1)","outputs":[]},
      {"cell_type":"code","source":"%lsmagic","outputs":[]},
      {"cell_type":"code","source":"cd /tmp\necho $PWD","outputs":[]}]}"#;
    let imported = import(Path::new("b.ipynb"), nb).expect("imports");
    assert_eq!(imported.commands, ["cd /tmp\necho $PWD"]);
    assert!(
        imported
            .markdown
            .contains("```python {run=false}\n%%python\nprint(1)")
    );
    assert!(imported.markdown.contains("```text {run=false}\n%lsmagic"));
    let magics = imported.warnings.iter().filter(|w| w.contains("magic"));
    assert_eq!(magics.count(), 2, "{:?}", imported.warnings);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("the title is the file name, `b`")),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn markers() {
    assert!(
        is_marker("In [None]:", "In") && is_marker("In [ ]:", "In") && is_marker("In [12]:", "In")
    );
    assert!(is_marker("Out[1]:", "Out"));
    assert!(!is_marker("In [x] is prose:", "In") && !is_marker("Index [1]:", "In"));
}

#[test]
fn json_notebook_with_list_and_string_sources() {
    let nb = r###"{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[
        {"cell_type":"markdown","metadata":{},"source":["# Title\n","\n","text"]},
        {"cell_type":"code","metadata":{},"execution_count":null,"outputs":[],"source":"!kubectl get pods"},
        {"cell_type":"markdown","metadata":{},"source":"## Step"},
        {"cell_type":"code","metadata":{},"outputs":[],"source":["%%bash\n","echo 1\n","echo 2"]}]}"###;
    let i = import(Path::new("n.ipynb"), nb).expect("imports");
    assert_eq!(i.title, "Title");
    assert_eq!(i.commands, ["kubectl get pods", "echo 1\necho 2"]);
    assert_eq!(
        i.markdown,
        "---\ntitle: Title\n---\n# Title\n\ntext\n\n```sh\nkubectl get pods\n```\n\n## Step\n\n```sh\necho 1\necho 2\n```\n"
    );
}

#[test]
fn bash_kernel_cells_are_shell_as_is() {
    let nb = r#"{"nbformat":4,"metadata":{"kernelspec":{"language":"bash"}},"cells":[{"cell_type":"code","source":"echo $HOME"}]}"#;
    assert_eq!(
        import(Path::new("n.ipynb"), nb).map(|i| i.commands).ok(),
        Some(vec!["echo $HOME".to_string()])
    );
}

#[test]
fn bad_notebooks_are_clear_errors() {
    let e = |t: &str| {
        import(Path::new("n.ipynb"), t)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(e("{\"nbformat\":2,\"worksheets\":[]}").contains("nbformat 2 is not supported"));
    assert!(e("{\"nbformat\":3,\"worksheets\":[]}").contains("no cells"));
    assert!(e("{\"cells\":").starts_with("n.ipynb: not a notebook"));
    assert!(e("").contains("no cells"));
}

#[test]
fn fences_outgrow_backticks_in_code() {
    assert_eq!(fence("sh", "echo ```"), "````sh\necho ```\n````");
}

#[test]
fn slugs() {
    assert_eq!(slug("分布式Redis集群", Path::new("x.txt")), "redis");
    assert_eq!(slug("中文", Path::new("My Notebook.ipynb")), "my-notebook");
    assert_eq!(slug("中文", Path::new("中.ipynb")), "imported");
}

#[test]
fn the_title_is_the_first_level_1_heading_as_commonmark_reads_it() {
    let nb = |md: &str| {
        serde_json::json!({
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"language": "bash"}},
            "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": md},
                {"cell_type": "code", "metadata": {}, "outputs": [], "source": "echo hi"}
            ]
        })
        .to_string()
    };
    let title = |md: &str| {
        import(Path::new("file.ipynb"), &nb(md))
            .expect("imports")
            .title
    };
    assert_eq!(title("Setext Title\n====\n\ntext"), "Setext Title");
    assert_eq!(
        title("```sh\n# not a title\n```\n\n# Real [docs](x) ![ci](b.svg)"),
        "Real docs"
    );
    let untitled = import(Path::new("file.ipynb"), &nb("## Only a step")).expect("imports");
    assert_eq!(untitled.title, "file");
    assert!(
        untitled
            .warnings
            .iter()
            .any(|w| w.contains("title is the file name"))
    );
}

#[test]
fn a_kernel_neither_bash_nor_python_is_named_once_and_its_cells_kept_shown() {
    let nb = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "xonsh"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# X"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": "ls -alt"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": "cat README.md"}
        ]
    })
    .to_string();
    let imported = import(Path::new("x.ipynb"), &nb).expect("imports");
    assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
    assert!(
        imported.warnings[0].contains("`xonsh`"),
        "{:?}",
        imported.warnings
    );
    assert!(!imported.warnings[0].contains("Python code"));
    assert!(
        imported.markdown.contains("```xonsh {run=false}\nls -alt"),
        "{}",
        imported.markdown
    );
    assert!(imported.commands.is_empty());
}

#[test]
fn markdown_is_not_imported() {
    let err = super::import_path(Path::new("README.md")).expect_err("refused");
    assert!(
        err.reason().contains("Markdown is a lesson already"),
        "{err}"
    );
}
