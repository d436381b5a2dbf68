"""Garbage-sorting assessment (垃圾分类考评) and property supervision (物业监管): one pattern over two registries."""
