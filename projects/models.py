# Gap review and the cooperation project repository (issue 4) live here.
